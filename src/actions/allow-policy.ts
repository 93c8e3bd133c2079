/**
 * Widening trust is an action. An allow-list entry makes the bot refuse blocks and drop log
 * findings for everything inside it, so a wide entry switches protection off as surely as a
 * ban on everyone switches Plex off. One address may be allowed at once (audited); anything
 * wider, and every forced entry, is a proposal approved like a block. Ranges wider than an
 * IPv4 /16 or an IPv6 /32 need force as well, and every address (/0) is never accepted.
 */
import { UserError } from '../kernel/errors.js';
import { type BlockTarget, invalidTargetReason, parseBlockTarget } from './block-policy.js';

/** The widest range /allow takes without force: an ISP's block for IPv4, a site-sized IPv6 prefix. */
export const ALLOW_WIDEST = { ipv4: 16, ipv6: 32 } as const satisfies Record<'ipv4' | 'ipv6', number>;

export type AllowDecision =
  /** A single address, not forced: added now, audited. */
  | { readonly kind: 'direct'; readonly target: BlockTarget }
  /** Wider than one address, or forced: a proposal approved like a block. */
  | { readonly kind: 'proposal'; readonly target: BlockTarget; readonly force: boolean };

/** Throws a UserError (safe text) when the entry is refused outright. */
export function decideAllow(input: string, force: boolean): AllowDecision {
  const target = parseBlockTarget(input);
  if (!target) throw new UserError(invalidTargetReason(input));
  if (target.prefix === 0)
    throw new UserError(
      `\`${target.text}\` is every address: allow-listing it would switch blocking off entirely.`,
    );
  const widest = ALLOW_WIDEST[target.family];
  if (target.prefix < widest && !force)
    throw new UserError(
      `\`${target.text}\` is wider than /${widest}: allow-listing it stops blocks and log findings for a large part of the internet. If you are sure, run it again with \`force: True\` (it still needs approval).`,
    );
  if (target.isHost && !force) return { kind: 'direct', target };
  return { kind: 'proposal', target, force };
}
