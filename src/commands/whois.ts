import {
  type APIActionRowComponent,
  type APIButtonComponent,
  ButtonStyle,
  type ChatInputCommandInteraction,
  ComponentType,
} from 'discord.js';
import { decideAllow } from '../actions/allow-policy.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import { whoisEmbed } from '../alerts/whois-embed.js';
import { cleanText } from '../kernel/clean-text.js';
import { UserError } from '../kernel/errors.js';
import { cidrContains, parseCidr } from '../net/ip.js';
import { gatherWhois, parseWhoisAddress } from '../report/whois-data.js';
import { whoisSections } from '../report/whois-sections.js';
import { type BotContext, type Command, commandButtonId } from './types.js';

/** Bound on the outside calls (Plex sessions, InternetDB) of one answer, well inside the 15 minutes of a token. */
const OUTSIDE_MS = 10_000;

const readIp = (interaction: ChatInputCommandInteraction) =>
  parseWhoisAddress(interaction.options.getString('ip', true));

function buttons(ip: string): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Danger,
          label: 'Propose block',
          custom_id: commandButtonId('whois', `block:${ip}`),
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: 'Propose allow-list entry',
          custom_id: commandButtonId('whois', `allow:${ip}`),
        },
      ],
    },
  ];
}

const waiting = (ctx: BotContext, id: number, what: string, approvals: number) =>
  `Proposal #${id} to ${what} is waiting in <#${ctx.discord.alertChannelId}> for ${approvals} approval(s). Nothing changes until then.`;

/**
 * A block through the same policy as /block without force (LAN, own IP, allow-listed are refused),
 * and checked again when approved (the ban service runs the policy before it blocks).
 */
async function proposeBlock(ctx: BotContext, ip: string, by: { id: string; name: string }): Promise<string> {
  const verdict = ctx.actions.bans.check(ip);
  if (!verdict.ok) {
    throw new UserError(
      `Not proposed: ${verdict.reason}${verdict.forceable ? ' If you are sure, use /block with `force: True`.' : ''}`,
    );
  }
  const target = verdict.target.text;
  if (ctx.actions.bans.active().some((b) => b.target === target))
    throw new UserError(`${target} is already blocked; nothing proposed.`);
  // Once only: the check and the proposal's row happen with no await between them (propose
  // stores the row before its first await), so two clicks in the same instant make one proposal.
  if (ctx.actions.proposals.pendingBlockExists(target))
    throw new UserError(`A proposal to block ${target} is already waiting in the alert channel.`);
  const proposal = await ctx.board.propose({
    action: {
      kind: 'block-ip',
      target,
      durationMs: undefined,
      reason: `proposed from /whois by ${by.name}`,
      force: false,
    },
    origin: 'command',
    requestedBy: by.id,
  });
  return waiting(ctx, proposal.id, `block ${target}`, proposal.requiredApprovals);
}

/** Widening trust is always a proposal here, even for one address (/allow adds one at once). */
async function proposeAllow(ctx: BotContext, ip: string, by: { id: string; name: string }): Promise<string> {
  const target = decideAllow(ip, false).target;
  const cidr = target.text;
  const covering = ctx.repos.allowlist.active(ctx.clock.now()).find((e) => {
    const entry = parseCidr(e.cidr);
    return entry !== undefined && cidrContains(entry, target.cidr.address);
  });
  if (covering)
    throw new UserError(`${cidr} is already on the allow-list (${covering.cidr}); nothing proposed.`);
  if (ctx.actions.proposals.pendingAllowExists(cidr))
    throw new UserError(`A proposal to allow-list ${cidr} is already waiting in the alert channel.`);
  const proposal = await ctx.board.propose({
    action: { kind: 'allow-cidr', cidr, note: `from /whois by ${by.name}`, force: false },
    origin: 'command',
    requestedBy: by.id,
  });
  return waiting(ctx, proposal.id, `allow-list ${cidr}`, proposal.requiredApprovals);
}

/** Everything the bot knows about one address (approvers only, like every command; only the caller sees it). */
export const whois: Command = {
  name: 'whois',
  data: slashCommand('whois', 'Everything plex-warden knows about an IP address (only you see the answer)')
    .addStringOption((o) =>
      o
        .setName('ip')
        .setDescription('IPv4 or IPv6 address, e.g. 203.0.113.7')
        .setRequired(true)
        .setMaxLength(64),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction) {
    readIp(interaction);
  },
  async execute(interaction, ctx) {
    const answer = await gatherWhois(ctx, readIp(interaction), AbortSignal.timeout(OUTSIDE_MS));
    await interaction.editReply({
      embeds: [whoisEmbed(answer.label, answer.scope.kind, whoisSections(answer))],
      components: buttons(answer.ip),
      allowedMentions: { parse: [] },
    });
  },
  async click(interaction, rest, ctx) {
    const match = /^(block|allow):(.+)$/.exec(rest);
    if (!match?.[1] || !match[2])
      throw new UserError('This button is not known to this version of plex-warden.');
    // The id is re-read like typed text: a forged one gets what /whois would have refused.
    const ip = parseWhoisAddress(match[2]).toString();
    const by = { id: interaction.user.id, name: cleanText(interaction.user.username) ?? interaction.user.id };
    const content = match[1] === 'block' ? await proposeBlock(ctx, ip, by) : await proposeAllow(ctx, ip, by);
    await interaction.editReply({ content, allowedMentions: { parse: [] } });
  },
};
