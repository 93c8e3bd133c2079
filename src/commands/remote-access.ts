import type { ChatInputCommandInteraction } from 'discord.js';
import type { RemoteAccessPort } from '../actions/remote-access-port.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import type { ProposalAction } from '../domain/proposal.js';
import { formatDuration, parseDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { BotContext, Command } from './types.js';

const MAX_ON_MS = 30 * 86_400_000;

function port(ctx: BotContext): RemoteAccessPort {
  if (!ctx.actions.remoteAccess) throw new UserError('Remote access control is not set up in this bot.');
  return ctx.actions.remoteAccess;
}

type RemoteAction = Extract<ProposalAction, { kind: 'remote-access-off' | 'remote-access-on' }>;

function readAction(interaction: ChatInputCommandInteraction, ctx: BotContext): RemoteAction | undefined {
  port(ctx);
  const sub = interaction.options.getSubcommand(true);
  if (sub === 'status') return undefined;
  if (sub === 'off') return { kind: 'remote-access-off' };
  const forText = interaction.options.getString('for');
  if (forText === null) return { kind: 'remote-access-on' };
  const forMs = parseDuration(forText);
  if (forMs === undefined || forMs < 60_000 || forMs > MAX_ON_MS) {
    throw new UserError('`for` must be a duration from 1m to 30d, such as 1h or 2h30m.');
  }
  return { kind: 'remote-access-on', forMs };
}

export const remoteAccess: Command = {
  name: 'remote-access',
  data: slashCommand('remote-access', 'Plex remote access: show it, or propose switching it on or off')
    .addSubcommand((s) => s.setName('status').setDescription('Is remote access on, and what stays open'))
    .addSubcommand((s) =>
      s.setName('off').setDescription('Propose: preference off, router mappings to Plex removed, verified'),
    )
    .addSubcommand((s) =>
      s
        .setName('on')
        .setDescription('Propose: switch remote access on, optionally for a limited time')
        .addStringOption((o) =>
          o.setName('for').setDescription('Switch off again after, e.g. 1h').setMaxLength(16),
        ),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction, ctx) {
    readAction(interaction, ctx);
  },
  async execute(interaction, ctx) {
    const action = readAction(interaction, ctx);
    if (!action) {
      const status = await port(ctx).status(AbortSignal.timeout(20_000));
      const state =
        status.enabled === undefined ? 'unknown (could not be read)' : status.enabled ? 'on' : 'off';
      const until = status.offAt ? ` until <t:${Math.floor(status.offAt / 1000)}:f>` : '';
      await interaction.editReply({
        content: [`Remote access: **${state}**${until}.`, ...status.lines].join('\n').slice(0, 2_000),
        allowedMentions: { parse: [] },
      });
      return;
    }
    const proposal = await ctx.board.propose({ action, origin: 'command', requestedBy: interaction.user.id });
    const what =
      action.kind === 'remote-access-off'
        ? 'switch remote access off'
        : action.forMs === undefined
          ? 'switch remote access on'
          : `switch remote access on for ${formatDuration(action.forMs)}`;
    await interaction.editReply({
      content: `Proposal #${proposal.id} to ${what} is waiting in <#${ctx.discord.alertChannelId}>.`,
      allowedMentions: { parse: [] },
    });
  },
};
