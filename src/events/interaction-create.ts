import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import { parseProposalButton } from '../actions/proposal-buttons.js';
import { memberRoleIds, REFUSAL_TEXT, refusalFor } from '../adapters/discord/authorize.js';
import { safeText, truncate } from '../alerts/embeds.js';
import { commands } from '../commands/index.js';
import { type BotContext, type Command, parseCommandButtonId } from '../commands/types.js';
import { presentError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { defineEvent } from './types.js';

const byName = new Map<string, Command>(commands.map((c) => [c.name, c]));

/** What the user sees of an error: a UserError's own text, or a generic line with a reference. */
function errorText(error: unknown, logger: Logger, during: string): string {
  const { text, reference } = presentError(error, logger, { during });
  return reference === undefined
    ? replyText(text)
    : `Something went wrong on our side (reference \`${reference}\`). The details are in plex-warden's log.`;
}

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
    if (interaction.isButton()) {
      await clickButton(ctx, interaction);
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
    const content = errorText(error, logger, 'running a command');
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

const VERDICT_TEXT: Record<string, string> = {
  unknown: 'This proposal no longer exists.',
  'ignored-bot': 'Bots cannot decide proposals.',
  closed: 'This proposal is already closed; nothing changed.',
  expired: 'This proposal has expired; nothing will run.',
  'approval-recorded': 'Your approval is recorded.',
  cancelled: 'Cancelled; nothing will run.',
  executed: 'Approved; the action ran. The proposal shows the outcome.',
};

/**
 * Approve / Cancel on a proposal: the same path as ✅/❌ (board.decide: server-side authorization,
 * the once-only claim in the proposal service). The answer is ephemeral, deferred first because
 * an approval may run the action, longer than Discord's 3 seconds
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction).
 */
async function clickButton(ctx: BotContext, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseProposalButton(interaction.customId);
  if (!parsed) {
    await clickCommandButton(ctx, interaction);
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const proposal = ctx.actions.proposals.byId(parsed.id);
  // The button must sit on that proposal's own message: a forged id decides nothing.
  if (!proposal?.messageId || proposal.messageId !== interaction.message.id) {
    await interaction.editReply({ content: VERDICT_TEXT.unknown, allowedMentions: { parse: [] } });
    return;
  }
  const denied = refusal(ctx, interaction);
  if (denied) {
    ctx.logger.warn('proposal button refused', {
      proposalId: proposal.id,
      user: interaction.user.id,
      reason: denied,
    });
    await interaction.editReply({ content: REFUSAL_TEXT[denied], allowedMentions: { parse: [] } });
    return;
  }
  const verdict = await ctx.board.decide({
    messageId: proposal.messageId,
    userId: interaction.user.id,
    isBot: interaction.user.bot,
    guildId: interaction.guildId,
    roleIds: memberRoleIds(interaction.member),
    decision: parsed.decision,
  });
  const text =
    verdict.kind === 'not-approver' ? REFUSAL_TEXT['not-approver'] : (VERDICT_TEXT[verdict.kind] ?? 'Done.');
  await interaction.editReply({ content: text, allowedMentions: { parse: [] } });
}

/**
 * A button on a command's reply (/whois "Propose block"): deferred ephemerally, authorized on the
 * server like the command itself, then handed to the command; errors are shown like a command's.
 */
async function clickCommandButton(ctx: BotContext, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseCommandButtonId(interaction.customId);
  const command = parsed ? byName.get(parsed.command) : undefined;
  if (!parsed || !command?.click) return;
  const logger = ctx.logger.child({
    button: parsed.command,
    user: interaction.user.id,
    interaction: interaction.id,
  });
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const denied = refusal(ctx, interaction);
  if (denied) {
    logger.warn('button refused', { reason: denied });
    await interaction.editReply({ content: REFUSAL_TEXT[denied], allowedMentions: { parse: [] } });
    return;
  }
  try {
    await command.click(interaction, parsed.rest, ctx);
  } catch (error) {
    const content = errorText(error, logger, 'a button click');
    await interaction
      .editReply({ content, allowedMentions: { parse: [] } })
      .catch((replyError: unknown) =>
        logger.warn('could not report the error to Discord', { error: replyError }),
      );
  }
}
