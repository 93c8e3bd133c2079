import type { APIEmbed } from 'discord.js';
import { safeText } from '../alerts/embeds.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { Proposal, ProposalStatus } from '../domain/proposal.js';
import { addressLabel } from '../net/address-label.js';

export const APPROVE_EMOJI = '✅';
export const CANCEL_EMOJI = '❌';

const STATUS = {
  pending: { color: 0xfdd835, label: 'Waiting for approval' },
  running: { color: 0x1e88e5, label: 'Running…' },
  done: { color: 0x43a047, label: 'Done' },
  failed: { color: 0xe53935, label: 'Failed' },
  cancelled: { color: 0x757575, label: 'Cancelled' },
  expired: { color: 0x757575, label: 'Expired — nothing was done' },
} as const satisfies Record<ProposalStatus, { color: number; label: string }>;

/** The proposal message: what, who asked, approvals so far, expiry, and the outcome once known. */
export function proposalEmbed(p: Proposal, facts?: AddressFactsLookup): APIEmbed {
  const when = (ms: number, style = 'R') => `<t:${Math.floor(ms / 1_000)}:${style}>`;
  const requester = /^\d{17,20}$/.test(p.requestedBy)
    ? `<@${p.requestedBy}>`
    : `a finding (${p.requestedBy.replace(/^finding:/, '')})`;
  const approvals = p.approvers.length > 0 ? p.approvers.map((id) => `<@${id}>`).join(', ') : 'none yet';
  const fields: { name: string; value: string; inline?: boolean }[] = [
    { name: 'Status', value: STATUS[p.status].label, inline: true },
    { name: 'Approvals', value: `${p.approvers.length}/${p.requiredApprovals}: ${approvals}`, inline: true },
    { name: 'Requested by', value: requester, inline: true },
  ];
  if (p.action.kind === 'block-ip' || p.action.kind === 'unblock-ip')
    // Who the address belongs to, so that an approver can tell a cloud scanner from a phone network.
    fields.push({ name: 'Address', value: addressLabel(p.action.target, facts).slice(0, 1_000) });
  if (p.status === 'pending') fields.push({ name: 'Expires', value: when(p.expiresAt), inline: true });
  if (p.status === 'pending' && p.note)
    // Our own text (user mentions only; the message allows no pings): not neutralised.
    fields.push({ name: 'Note', value: p.note.slice(0, 1_000) });
  if (p.status === 'cancelled' && p.decidedBy)
    fields.push({ name: 'Cancelled by', value: `<@${p.decidedBy}>`, inline: true });
  if (p.status === 'expired') fields.push({ name: 'Expired', value: when(p.expiresAt, 'f'), inline: true });
  if (p.outcome) fields.push({ name: 'Outcome', value: safeText(p.outcome).slice(0, 1_000) });
  return {
    title: `Proposal #${p.id}`.slice(0, 256),
    // The summary carries the requester's reason and a finding's title: never live mentions.
    description: safeText(p.summary).slice(0, 2_000),
    color: STATUS[p.status].color,
    fields,
    footer: {
      text:
        p.status === 'pending'
          ? `Approvers: react ${APPROVE_EMOJI} to run it or ${CANCEL_EMOJI} to drop it.`
          : 'This proposal is closed.',
    },
  };
}
