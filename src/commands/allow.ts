import type { ChatInputCommandInteraction } from 'discord.js';
import { decideAllow } from '../actions/allow-policy.js';
import { overlaps, parseBlockTarget } from '../actions/block-policy.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import { boundedText } from '../alerts/bounded-list.js';
import { LIMITS } from '../alerts/embeds.js';
import { cleanText } from '../kernel/clean-text.js';
import type { Command } from './types.js';

function readArgs(interaction: ChatInputCommandInteraction) {
  const decision = decideAllow(
    interaction.options.getString('cidr', true),
    interaction.options.getBoolean('force') ?? false,
  );
  const note = cleanText(interaction.options.getString('note')) ?? '';
  return { decision, note };
}

/**
 * Allowing widens trust: every address inside is never blocked and its log findings are
 * dropped. One address is added right away (audited); anything wider, and every `force`, is a
 * proposal approved like a block (allow-policy.ts has the rules).
 */
export const allow: Command = {
  name: 'allow',
  data: slashCommand(
    'allow',
    'Never flag or block this address (a range is a proposal, approved by reaction)',
  )
    .addStringOption((o) =>
      o.setName('cidr').setDescription('IPv4/IPv6 address or CIDR').setRequired(true).setMaxLength(64),
    )
    .addStringOption((o) =>
      o.setName('note').setDescription('Whose it is (shown in /allowlist)').setMaxLength(100),
    )
    .addBooleanOption((o) =>
      o
        .setName('force')
        .setDescription('Allow a range wider than IPv4 /16 or IPv6 /32 (still needs approval)'),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction) {
    readArgs(interaction);
  },
  async execute(interaction, ctx) {
    const { decision, note } = readArgs(interaction);
    const text = decision.target.text;
    if (decision.kind === 'proposal') {
      const proposal = await ctx.board.propose({
        action: { kind: 'allow-cidr', cidr: text, note, force: decision.force },
        origin: 'command',
        requestedBy: interaction.user.id,
      });
      await interaction.editReply({
        content: `Proposal #${proposal.id} to allow-list ${text} is waiting in <#${ctx.discord.alertChannelId}> for ${proposal.requiredApprovals} approval(s): a range widens trust, so it is approved like a block. Nothing changes until then.`,
        allowedMentions: { parse: [] },
      });
      return;
    }
    const { isNew } = ctx.actions.allowlist.add({ cidr: text, note, actor: interaction.user.id });
    // The log review's address cache and the block policy see the entry at once.
    ctx.scope.refresh();
    const blocked = ctx.actions.bans
      .active()
      .filter((b) => {
        const t = parseBlockTarget(b.target);
        return t ? overlaps(decision.target.cidr, t.cidr) : false;
      })
      .map((b) => b.target);
    const saved = `${text} is ${isNew ? 'now' : 'still'} on the allow-list${note ? ` (${note})` : ''}.`;
    if (blocked.length === 0) {
      await interaction.editReply({ content: saved, allowedMentions: { parse: [] } });
      return;
    }
    // Every overlapping ban would not fit 2,000 characters once there are ~100 of them.
    const intro = `${saved} Still blocked until you /unblock (${blocked.length}): `;
    const list = boundedText(blocked, {
      max: LIMITS.content - intro.length - 1,
      separator: ', ',
      more: (n) => `and ${n} more (see /blocks)`,
    });
    await interaction.editReply({ content: `${intro}${list.text}.`, allowedMentions: { parse: [] } });
  },
};
