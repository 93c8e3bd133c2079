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
import { addressProblem, type Cidr, CidrSet, parseCidr } from '../net/ip.js';

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

const SPECIAL_RANGES = [
  { code: 'loopback', cidrs: ['127.0.0.0/8', '::1/128'], what: 'a loopback address (this machine itself)' },
  {
    code: 'unspecified',
    cidrs: ['0.0.0.0/8', '::/128'],
    what: 'the unspecified address ("this host/network")',
  },
  {
    code: 'link-local',
    cidrs: ['169.254.0.0/16', 'fe80::/10'],
    what: 'a link-local address (only reachable on the local cable or Wi-Fi)',
  },
  {
    code: 'private',
    cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
    what: 'a private address (a home or office network, never an internet source)',
  },
  {
    code: 'cgnat',
    cidrs: ['100.64.0.0/10'],
    what: "a carrier-grade NAT address (shared inside a provider's network, not a single internet host)",
  },
  { code: 'multicast', cidrs: ['224.0.0.0/4', 'ff00::/8'], what: 'a multicast address' },
  {
    code: 'reserved',
    cidrs: ['240.0.0.0/4', '192.0.0.0/24'],
    what: 'a reserved address that never appears as an internet source',
  },
] as const satisfies readonly { code: RefusalCode; cidrs: readonly string[]; what: string }[];

const SPECIAL = SPECIAL_RANGES.map((range) => ({
  ...range,
  set: CidrSet.parse(range.cidrs),
}));

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
  if (a.address.kind() !== b.address.kind()) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  return a.address.match(b.address, prefix);
}

export interface BlockPolicyOptions {
  readonly lanCidrs: readonly string[];
  /** ALLOWLIST from the configuration. */
  readonly allowlist: readonly string[];
  /** The allow-list kept in the database (/allow); read on every check. */
  readonly dbAllowlist: () => readonly string[];
  /** PUBLIC_IP from the configuration, or the address learned from Plex or the router. */
  readonly publicIp: () => string | undefined;
}

export class BlockPolicy {
  private readonly lan: readonly Cidr[];
  private readonly configAllow: readonly Cidr[];

  constructor(private readonly options: BlockPolicyOptions) {
    this.lan = CidrSet.parse(options.lanCidrs).cidrs;
    this.configAllow = CidrSet.parse(options.allowlist).cidrs;
  }

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
    for (const range of SPECIAL) {
      const hit = range.set.cidrs.find((special) => overlaps(special, cidr));
      if (hit) {
        out.push({
          code: range.code,
          reason: `\`${target.text}\` ${target.isHost ? 'is' : 'contains'} ${range.what} (${hit.text}).`,
        });
      }
    }
    const lan = this.lan.find((c) => overlaps(c, cidr));
    if (lan) {
      out.push({
        code: 'lan',
        reason: `\`${target.text}\` is on the household LAN (${lan.text} in LAN_CIDRS): blocking it locks family devices out.`,
      });
    }
    const publicIp = this.options.publicIp();
    const own = publicIp ? parseCidr(publicIp) : undefined;
    if (own && overlaps(own, cidr)) {
      out.push({
        code: 'own-ip',
        reason: `\`${target.text}\` ${target.isHost ? 'is' : 'contains'} this server's own public IP (${own.address.toString()}).`,
      });
    }
    const allowed = [...this.configAllow, ...CidrSet.parse(this.options.dbAllowlist()).cidrs].find((c) =>
      overlaps(c, cidr),
    );
    if (allowed) {
      out.push({
        code: 'allowlisted',
        reason: `\`${target.text}\` overlaps the allow-list entry ${allowed.text} (see /allowlist).`,
      });
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
