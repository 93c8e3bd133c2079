/**
 * Decides whether an address or network may be blocked, before any firewall program sees it.
 * Why it matters: a ban on the LAN, on the server's own public IP or on a huge range locks the
 * household out of its own Plex (or out of the machine). Known false positives: a CGNAT or
 * private address that really is the attacker on a shared network is refused; an approver can
 * force those. Loopback, the unspecified address and 0.0.0.0/0 can never be forced.
 *
 * The only way to get a `BlockTarget` is `parseBlockTarget`, which accepts address characters
 * only and returns canonical text: shell metacharacters and garbage never reach a backend.
 */
import type { AddressScope, ScopeOverlap } from '../net/address-scope.js';
import { addressProblem, type Cidr, parseCidr } from '../net/ip.js';
import { cidrsOverlap } from '../net/special-ranges.js';

export interface BlockTarget {
  /** Canonical text: a bare address for a single host, `network/prefix` for a range. */
  readonly text: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly prefix: number;
  readonly isHost: boolean;
  /** The network address in canonical text. */
  readonly address: string;
  readonly cidr: Cidr;
}

export type RefusalCode =
  | 'invalid'
  | 'everything'
  | 'loopback'
  | 'unspecified'
  | 'link-local'
  | 'private'
  | 'lan'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'own-ip'
  | 'allowlisted'
  | 'too-broad';

export type BlockVerdict =
  | { readonly ok: true; readonly target: BlockTarget; readonly forcedOver: readonly RefusalCode[] }
  | {
      readonly ok: false;
      readonly code: RefusalCode;
      /** Safe to show to the user. */
      readonly reason: string;
      /** Whether an approver may override with `force`. */
      readonly forceable: boolean;
      readonly target: BlockTarget | undefined;
    };

/** Refusals `force` can never override: blocking these breaks the machine itself. */
const NEVER_FORCE: ReadonlySet<RefusalCode> = new Set(['invalid', 'everything', 'loopback', 'unspecified']);

/** Narrowest ranges we accept without force: a /24 of IPv4, a /48 of IPv6 (one site). */
export const MIN_PREFIX = { ipv4: 24, ipv6: 48 } as const satisfies Record<'ipv4' | 'ipv6', number>;

const ADDRESS_CHARS = /^[0-9A-Fa-f:./]{2,64}$/;

/**
 * Syntax only: an IPv4/IPv6 address or CIDR in canonical form, or undefined. Anything outside
 * the address alphabet (spaces, `;`, `$(...)`, quotes, brackets) is rejected before parsing.
 * A CIDR with host bits set is masked to its network (`1.2.3.4/24` → `1.2.3.0/24`).
 */
export function parseBlockTarget(input: string): BlockTarget | undefined {
  const trimmed = input.trim();
  if (!ADDRESS_CHARS.test(trimmed)) return undefined;
  const cidr = parseCidr(trimmed);
  if (!cidr) return undefined;
  const family = cidr.address.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const isHost = cidr.prefix === (family === 'ipv4' ? 32 : 128);
  const address = cidr.address.toString();
  return { text: isHost ? address : cidr.text, family, prefix: cidr.prefix, isHost, address, cidr };
}

/** Defence in depth for backends: a target must round-trip through the parser unchanged. */
export function assertCanonical(target: BlockTarget): void {
  const again = parseBlockTarget(target.text);
  if (
    !again ||
    again.text !== target.text ||
    again.address !== target.address ||
    again.prefix !== target.prefix
  ) {
    throw new Error('refusing a non-canonical block target');
  }
}

/** True when the two networks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrsOverlap(a, b);
}

/**
 * Whose address it is comes from the AddressScope (special ranges, LAN, the household's own IP,
 * the allow-list); this adds what only blocking cares about: "everything" and ranges too broad.
 */
export class BlockPolicy {
  constructor(private readonly scope: AddressScope) {}

  /**
   * Every reason the target must not be blocked, most fundamental first. With `force`, only the
   * reasons an approver may override are waived.
   */
  check(input: string, options: { force?: boolean } = {}): BlockVerdict {
    const target = parseBlockTarget(input);
    if (!target) {
      return {
        ok: false,
        code: 'invalid',
        reason: invalidTargetReason(input),
        forceable: false,
        target: undefined,
      };
    }
    const refusals = this.refusals(target);
    const force = options.force === true;
    const blocking = refusals.filter((r) => !force || NEVER_FORCE.has(r.code));
    const first = blocking[0];
    if (first) {
      return {
        ok: false,
        code: first.code,
        reason: first.reason,
        forceable: blocking.every((r) => !NEVER_FORCE.has(r.code)),
        target,
      };
    }
    return { ok: true, target, forcedOver: refusals.map((r) => r.code) };
  }

  private refusals(target: BlockTarget): { code: RefusalCode; reason: string }[] {
    const out: { code: RefusalCode; reason: string }[] = [];
    const { cidr } = target;
    if (cidr.prefix === 0) {
      out.push({
        code: 'everything',
        reason: `\`${target.text}\` is every address: that would cut off the whole internet.`,
      });
    }
    for (const hit of this.scope.overlapping(cidr)) {
      out.push({ code: hit.code, reason: refusalReason(target, hit) });
    }
    const min = MIN_PREFIX[target.family];
    if (cidr.prefix > 0 && cidr.prefix < min) {
      out.push({
        code: 'too-broad',
        reason: `\`${target.text}\` is too broad: the narrowest ${target.family === 'ipv4' ? 'IPv4' : 'IPv6'} range accepted is /${min}.`,
      });
    }
    // Sort the never-forceable reasons first so the user sees the real blocker.
    return out.sort((a, b) => Number(NEVER_FORCE.has(b.code)) - Number(NEVER_FORCE.has(a.code)));
  }
}

function refusalReason(target: BlockTarget, hit: ScopeOverlap): string {
  const verb = target.isHost ? 'is' : 'contains';
  switch (hit.kind) {
    case 'lan':
      return `\`${target.text}\` is ${hit.what}: blocking it locks family devices out.`;
    case 'allowed':
      return `\`${target.text}\` overlaps the allow-list entry ${hit.entry.text} (see /allowlist).`;
    default:
      return hit.code === 'own-ip'
        ? `\`${target.text}\` ${verb} ${hit.what}.`
        : `\`${target.text}\` ${verb} ${hit.what} (${hit.entry.text}).`;
  }
}

/** Why the text is not a target, safe to show: the leading-zero rule when that is the cause. */
export function invalidTargetReason(input: string): string {
  const problem = addressProblem(input);
  return problem
    ? `\`${printable(input)}\` is refused: ${problem}.`
    : `\`${printable(input)}\` is not an IPv4/IPv6 address or CIDR (examples: 203.0.113.7, 203.0.113.0/24, 2001:db8::/48).`;
}

/** Echo user input back safely: no backticks or mentions, bounded length. */
function printable(input: string): string {
  const cleaned = input.replace(/[^\x20-\x7e]/g, '?').replace(/[`@]/g, "'");
  return cleaned.length > 60 ? `${cleaned.slice(0, 57)}...` : cleaned;
}
