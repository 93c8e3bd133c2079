import { invalidTargetReason, parseBlockTarget } from '../actions/block-policy.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import { UserError } from '../kernel/errors.js';
import type { BotContext, Command } from './types.js';

function target(raw: string): string {
  const parsed = parseBlockTarget(raw);
  if (!parsed) throw new UserError(`${invalidTargetReason(raw)} See /blocks for what is blocked.`);
  // /block never accepts every address, so no ban of it can exist: never hand it to a backend.
  if (parsed.prefix === 0)
    throw new UserError(
      `\`${parsed.text}\` is every address; /block never accepts it, so there is nothing to unblock.`,
    );
  return parsed.text;
}

export const unblock: Command = {
  name: 'unblock',
  data: slashCommand('unblock', 'Propose lifting a block (approved by reaction)')
    .addStringOption((o) =>
      o
        .setName('ip')
        .setDescription('The address or CIDR as /blocks shows it')
        .setRequired(true)
        .setMaxLength(64),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction) {
    target(interaction.options.getString('ip', true));
  },
  async execute(interaction, ctx) {
    const text = target(interaction.options.getString('ip', true));
    const active = ctx.actions.bans.active().some((b) => b.target === text);
    // No recorded ban: ask the firewall itself, when it can list, before proposing anything.
    // A ban that ended on its own (also a range, which nft reports oddly) is simply not blocked.
    const inFirewall = active ? true : await firewallHolds(ctx, text);
    if (inFirewall === false)
      throw new UserError(
        `${text} is not blocked (no active ban, and ${ctx.actions.firewall.name} does not hold it).`,
      );
    const proposal = await ctx.board.propose({
      action: { kind: 'unblock-ip', target: text },
      origin: 'command',
      requestedBy: interaction.user.id,
    });
    await interaction.editReply({
      content: `Proposal #${proposal.id} to unblock ${text} is waiting in <#${ctx.discord.alertChannelId}>.${active ? '' : ' Note: the bot has no active ban for it; approving cleans the firewall anyway.'}`,
      allowedMentions: { parse: [] },
    });
  },
};

/** True/false when the backend can list its bans; undefined when it cannot tell (none, command, errors). */
async function firewallHolds(ctx: BotContext, text: string): Promise<boolean | undefined> {
  try {
    const entries = await ctx.actions.firewall.list(AbortSignal.timeout(10_000));
    return entries ? entries.some((e) => e.target === text) : undefined;
  } catch (error) {
    ctx.logger.warn('could not list the firewall for /unblock', { error });
    return undefined;
  }
}
