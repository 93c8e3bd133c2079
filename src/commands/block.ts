import type { ChatInputCommandInteraction } from 'discord.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import type { ProposalAction } from '../domain/proposal.js';
import { cleanText } from '../kernel/clean-text.js';
import { formatDuration, parseDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { BotContext, Command } from './types.js';

/** Reads and checks the arguments; shared by validate (no I/O) and execute. */
function readArgs(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
): Extract<ProposalAction, { kind: 'block-ip' }> {
  const ip = interaction.options.getString('ip', true);
  const force = interaction.options.getBoolean('force') ?? false;
  const verdict = ctx.actions.bans.check(ip, force);
  if (!verdict.ok) {
    throw new UserError(
      `Not proposed: ${verdict.reason}${verdict.forceable ? ' If you are sure, run it again with `force: True`.' : ''}`,
    );
  }
  const durationText = interaction.options.getString('duration');
  let durationMs: number | undefined;
  if (durationText !== null) {
    durationMs = parseDuration(durationText);
    if (durationMs === undefined) {
      throw new UserError('The duration must look like 30m, 12h, 7d or 1h30m.');
    }
    ctx.actions.bans.checkDuration(durationMs);
  }
  const reason =
    cleanText(interaction.options.getString('reason')) ?? `blocked by ${interaction.user.username}`;
  return { kind: 'block-ip', target: verdict.target.text, durationMs, reason, force };
}

export const block: Command = {
  name: 'block',
  data: slashCommand(
    'block',
    'Propose blocking an IP address or range in the firewall (approved by reaction)',
  )
    .addStringOption((o) =>
      o
        .setName('ip')
        .setDescription('IPv4/IPv6 address or CIDR, e.g. 203.0.113.7')
        .setRequired(true)
        .setMaxLength(64),
    )
    .addStringOption((o) =>
      o
        .setName('duration')
        .setDescription('How long, e.g. 30m, 12h, 7d (default from the config)')
        .setMaxLength(16),
    )
    .addStringOption((o) =>
      o.setName('reason').setDescription('Why; shown in the proposal').setMaxLength(200),
    )
    .addBooleanOption((o) =>
      o
        .setName('force')
        .setDescription('Override refusals such as LAN, own IP or allow-listed (approvers only)'),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction, ctx) {
    readArgs(interaction, ctx);
  },
  async execute(interaction, ctx) {
    const action = readArgs(interaction, ctx);
    const proposal = await ctx.board.propose({ action, origin: 'command', requestedBy: interaction.user.id });
    const duration =
      action.durationMs === undefined ? 'the default duration' : formatDuration(action.durationMs);
    await interaction.editReply({
      content: `Proposal #${proposal.id} to block ${action.target} for ${duration} is waiting in <#${ctx.discord.alertChannelId}> for ${proposal.requiredApprovals} approval(s) (expires <t:${Math.floor(proposal.expiresAt / 1000)}:R>).`,
      allowedMentions: { parse: [] },
    });
  },
};
