import { type ChatInputCommandInteraction, type Interaction, MessageFlags } from 'discord.js';
import { memberRoleIds, REFUSAL_TEXT, refusalFor } from '../adapters/discord/authorize.js';
import { safeText, truncate } from '../alerts/embeds.js';
import { commands } from '../commands/index.js';
import type { BotContext, Command } from '../commands/types.js';
import { presentError } from '../kernel/errors.js';
import { defineEvent } from './types.js';

const byName = new Map<string, Command>(commands.map((c) => [c.name, c]));

/**
 * A UserError's text is safe to show, but it often quotes what the user typed ("no check called
 * X"): neutralise mentions and fences in it, and keep it within Discord's 2,000 characters, so a
 * hostile argument can neither ping the server nor make the reply fail.
 */
function replyText(text: string): string {
  return truncate(safeText(text), 2_000);
}

export const interactionCreate = defineEvent({
  id: 'interaction-create',
  event: 'interactionCreate',
  async execute(ctx, interaction) {
    if (interaction.isAutocomplete()) {
      const command = byName.get(interaction.commandName);
      if (command?.autocomplete && isAllowed(ctx, interaction)) {
        await command
          .autocomplete(interaction, ctx)
          .catch((error: unknown) => ctx.logger.warn('autocomplete failed', { error }));
      } else {
        await interaction.respond([]).catch(() => undefined);
      }
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    await runCommand(ctx, interaction);
  },
});

function isAllowed(ctx: BotContext, interaction: Interaction): boolean {
  return refusal(ctx, interaction) === undefined;
}

function refusal(ctx: BotContext, interaction: Interaction) {
  return refusalFor(ctx.discord, {
    guildId: interaction.guildId,
    userId: interaction.user.id,
    isBot: interaction.user.bot,
    roleIds: memberRoleIds(interaction.member),
  });
}

/**
 * The one path every slash command takes: authorize on the server side, validate arguments
 * (ephemeral explanation, nothing runs), defer within Discord's 3 seconds, run, and turn any
 * error into a safe reply: a UserError's own text, or a generic line with a reference.
 */
async function runCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const logger = ctx.logger.child({
    command: interaction.commandName,
    user: interaction.user.id,
    interaction: interaction.id,
  });
  const command = byName.get(interaction.commandName);
  const denied = refusal(ctx, interaction);
  if (denied) {
    logger.warn('command refused', { reason: denied });
    await interaction.reply({
      content: REFUSAL_TEXT[denied],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }
  if (!command) {
    await interaction.reply({
      content:
        'This command is not known to this version of plex-warden; run `plex-warden register-commands`.',
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }
  try {
    command.validate?.(interaction, ctx);
  } catch (error) {
    const { text, reference } = presentError(error, logger, { during: 'validating a command' });
    if (reference === undefined) logger.info('command arguments refused', { reason: text });
    await interaction.reply({
      content: replyText(text),
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
    return;
  }
  try {
    await interaction.deferReply(command.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    await command.execute(interaction, ctx);
  } catch (error) {
    const { text, reference } = presentError(error, logger, { during: 'running a command' });
    const content =
      reference === undefined
        ? replyText(text)
        : `Something went wrong on our side (reference \`${reference}\`). The details are in plex-warden's log.`;
    try {
      if (interaction.deferred || interaction.replied)
        await interaction.editReply({ content, embeds: [], allowedMentions: { parse: [] } });
      else
        await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    } catch (replyError) {
      logger.warn('could not report the error to Discord', { error: replyError });
    }
  }
}
