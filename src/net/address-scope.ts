/**
 * The one answer to "whose address is this?". Built once in the composition root from the
 * configuration (LAN_CIDRS, ALLOWLIST, PUBLIC_IP), the /allow entries (with their expiry) and
 * the public addresses the bot has learned (Plex, the router, NAT-PMP). The block policy, the
 * log detectors, the checks and the commands all ask it, so they cannot disagree.
 *
 * Trust in learned addresses: Plex (plex.tv saw the server connect from it) and NAT-PMP (the
 * default gateway answered) make an address "self". The router's UPnP GetExternalIPAddress
 * alone does not: any LAN host can answer SSDP and claim any external address, and "self" is
 * never blocked. A router address counts only when Plex or NAT-PMP reports the same one.
 *
 * Readers keep fast caches of answers (the log review classifies most lines); `version` moves
 * whenever an answer may have changed, so a cache compares one number to know it is stale.
 */
import type { AllowlistEntry } from '../domain/ban.js';
import type { LearnedPublicAddress, PublicAddressSource } from '../domain/public-address.js';
import { type Cidr, CidrSet, dottedIpv4, type IpAddress, parseCidr, parseIp } from './ip.js';
import {
  type V4Table,
  type V6Table,
  v4Find,
  v4Table,
  v6Find,
  v6HasLong,
  v6Long,
  v6LongerInside,
  v6Table,
} from './ip-tables.js';
import { ipv6Text, isIpv4Mapped, readIpv6Groups } from './ipv6-text.js';
import { cidrsOverlap, SPECIAL_RANGES, type SpecialRangeCode } from './special-ranges.js';

/** Scratch groups for classify (single-threaded, never held across calls). */
const GROUPS = new Uint16Array(8);

export type AddressKind = 'self' | 'lan' | 'allowed' | 'special' | 'outside';

/** Why an address has its kind; the block policy's refusal codes reuse these. */
export type AddressCode = SpecialRangeCode | 'own-ip' | 'lan' | 'allowlisted' | 'outside' | 'invalid';

export interface AddressClass {
  readonly kind: AddressKind;
  readonly code: AddressCode;
  /** Safe to show: names the entry that decided (the range, the config key, the source). */
  readonly reason: string;
}

/** One entry of the scope a network touches (the block policy refuses on each). */
export interface ScopeOverlap {
  readonly kind: Exclude<AddressKind, 'outside'>;
  readonly code: Exclude<AddressCode, 'outside' | 'invalid'>;
  /** The entry itself, canonical (`10.0.0.0/8`, `203.0.113.1`). */
  readonly entry: Cidr;
  /** What the entry is, safe to show ("the household LAN (10.0.0.0/8 in LAN_CIDRS)"). */
  readonly what: string;
}

export interface LearnedAddressStore {
  all(): readonly LearnedPublicAddress[];
  /** Returns whether the stored address of that source changed. */
  record(source: PublicAddressSource, ip: string, at: number): boolean;
}

export interface AddressScopeDeps {
  readonly lanCidrs: readonly string[];
  /** ALLOWLIST from the configuration. */
  readonly allowlist: readonly string[];
  /** PUBLIC_IP from the configuration. */
  readonly publicIp?: string | undefined;
  /** The /allow entries kept in the database; expired ones are ignored here too. */
  readonly allowEntries?: ((now: number) => readonly AllowlistEntry[]) | undefined;
  readonly learned?: LearnedAddressStore | undefined;
  /** An extra allow-list (tests and the dry-run replay). */
  readonly extraAllowed?: ((ip: string) => boolean) | undefined;
  readonly now: () => number;
  /**
   * How long a read of the database sources is reused by `classify` (the log review asks once
   * per new address; a query per address under a flood would be the bottleneck).
   */
  readonly maxAgeMs?: number;
}

interface Entry {
  readonly cidr: Cidr;
  readonly what: string;
}

interface SpecialItem {
  readonly cidr: Cidr;
  readonly what: string;
  readonly code: SpecialRangeCode;
  readonly self: boolean;
}

const SPECIAL_ITEMS: readonly SpecialItem[] = SPECIAL_RANGES.flatMap((r) =>
  r.set.cidrs.map((cidr) => ({ cidr, what: r.what, code: r.code, self: r.self })),
);
const SPECIAL_V4 = v4Table(SPECIAL_ITEMS);
const SPECIAL_V6 = v6Table(SPECIAL_ITEMS);

interface Snapshot {
  readonly lan: readonly Entry[];
  readonly self: readonly Entry[];
  readonly allowed: readonly Entry[];
  readonly lan4: V4Table<Entry>;
  readonly self4: V4Table<Entry>;
  readonly allowed4: V4Table<Entry>;
  readonly lan6: V6Table<Entry>;
  readonly self6: V6Table<Entry>;
  readonly allowed6: V6Table<Entry>;
  /** The /64 networks holding an IPv6 entry (special ranges included) longer than /64. */
  readonly long6: Uint16Array;
  readonly readAt: number;
  /** The earliest expiry among the /allow entries read: the snapshot is stale from then on. */
  readonly staleAt: number;
  readonly signature: string;
}

const OUTSIDE: AddressClass = {
  kind: 'outside',
  code: 'outside',
  reason: 'an internet address outside the household',
};

const SOURCE_NAME: Record<PublicAddressSource, string> = {
  plex: 'Plex',
  router: 'the router (UPnP)',
  'nat-pmp': 'NAT-PMP',
};

export class AddressScope {
  private snapshot: Snapshot;
  /** The last /64 classifyIpv6 answered for all of (see there). */
  private readonly network: { snapshot?: Snapshot; groups: Uint16Array; answer: AddressClass } = {
    groups: new Uint16Array(4),
    answer: OUTSIDE,
  };
  private version_ = 0;
  private readonly configLan: readonly Entry[];
  private readonly configAllowed: readonly Entry[];
  private readonly configSelf: readonly Entry[];

  constructor(private readonly deps: AddressScopeDeps) {
    this.configLan = entries(deps.lanCidrs, (c) => `on the household LAN (${c} in LAN_CIDRS)`);
    this.configAllowed = entries(deps.allowlist, (c) => `on the allow-list (${c} in ALLOWLIST)`);
    this.configSelf = entries(
      deps.publicIp ? [deps.publicIp] : [],
      (c) => `this server's own public IP (${host(c)}, PUBLIC_IP)`,
    );
    this.snapshot = this.read();
  }

  /** A scope from the configuration alone (dry runs, tests). */
  static fromConfig(
    network: {
      readonly lanCidrs: readonly string[];
      readonly allowlist: readonly string[];
      readonly publicIp?: string | undefined;
    },
    extra: Partial<Pick<AddressScopeDeps, 'extraAllowed' | 'now'>> = {},
  ): AddressScope {
    return new AddressScope({ ...network, extraAllowed: extra.extraAllowed, now: extra.now ?? Date.now });
  }

  /** Moves whenever an answer may have changed; caches of answers compare it. */
  get version(): number {
    return this.version_;
  }

  /**
   * The kind of one address, most protective first: self (this machine, the household's public
   * IP) > lan > allowed > special > outside.
   */
  classify(input: IpAddress | string): AddressClass {
    if (typeof input === 'string') {
      const v4 = dottedIpv4(input);
      if (v4 >= 0) return this.classifyIpv4(v4, input);
      if (readIpv6Groups(input, 0, input.length, GROUPS) && !isIpv4Mapped(GROUPS))
        return this.classifyIpv6(GROUPS);
    }
    const ip = typeof input === 'string' ? parseIp(input) : input;
    if (!ip) return { kind: 'special', code: 'invalid', reason: 'not an IPv4/IPv6 address' };
    const snap = this.current();
    const text = ip.toString();
    const special = SPECIAL_RANGES.find((r) => r.set.contains(ip));
    if (special?.self) return { kind: 'self', code: special.code, reason: special.what };
    const own = find(snap.self, ip);
    if (own) return { kind: 'self', code: 'own-ip', reason: own.what };
    const lan = find(snap.lan, ip);
    if (lan) return { kind: 'lan', code: 'lan', reason: lan.what };
    const allowed = find(snap.allowed, ip);
    if (allowed) return { kind: 'allowed', code: 'allowlisted', reason: allowed.what };
    if (this.deps.extraAllowed?.(text) === true)
      return { kind: 'allowed', code: 'allowlisted', reason: 'on the allow-list' };
    if (special) return { kind: 'special', code: special.code, reason: special.what };
    return OUTSIDE;
  }

  /** The same answers as `classify`, in the same order, for a dotted IPv4 as a number. */
  private classifyIpv4(ip: number, text: string): AddressClass {
    const snap = this.current();
    const special = v4Find(SPECIAL_V4, ip);
    if (special?.self && special.code) return { kind: 'self', code: special.code, reason: special.what };
    const own = v4Find(snap.self4, ip);
    if (own) return { kind: 'self', code: 'own-ip', reason: own.what };
    const lan = v4Find(snap.lan4, ip);
    if (lan) return { kind: 'lan', code: 'lan', reason: lan.what };
    const allowed = v4Find(snap.allowed4, ip);
    if (allowed) return { kind: 'allowed', code: 'allowlisted', reason: allowed.what };
    if (this.deps.extraAllowed?.(text) === true)
      return { kind: 'allowed', code: 'allowlisted', reason: 'on the allow-list' };
    if (special?.code) return { kind: 'special', code: special.code, reason: special.what };
    return OUTSIDE;
  }

  /**
   * The same answers as `classify`, in the same order, for a plain (not IPv4-mapped) IPv6
   * address's groups (read-only here). The last /64 asked about keeps its answer while no entry
   * longer than /64 lies inside it (then every address of it gets the same one): a flood from
   * one /64 asks once per line.
   */
  classifyIpv6(groups: Uint16Array): AddressClass {
    const snap = this.current();
    const net = this.network;
    if (
      net.snapshot === snap &&
      groups[0] === net.groups[0] &&
      groups[1] === net.groups[1] &&
      groups[2] === net.groups[2] &&
      groups[3] === net.groups[3]
    )
      return net.answer;
    const answer = this.classifyIpv6In(snap, groups);
    if (this.deps.extraAllowed === undefined && !v6HasLong(snap.long6, groups)) {
      net.snapshot = snap;
      net.groups.set(groups.subarray(0, 4));
      net.answer = answer;
    }
    return answer;
  }

  /**
   * True when every address of the /`prefix` network of `groups` gets the same answer now: no
   * scope entry (special ranges included) longer than the prefix lies inside it, and no extra
   * allow-list (a function of the address text) is asked. A log review then judges the network's
   * addresses with one answer (address-book.ts); an allow-listed /128 inside a /64 keeps its
   * neighbours on per-address answers.
   */
  uniformIpv6(groups: Uint16Array, prefix: number): boolean {
    if (this.deps.extraAllowed !== undefined) return false;
    const snap = this.current();
    return !v6LongerInside([SPECIAL_V6, snap.lan6, snap.self6, snap.allowed6], groups, prefix);
  }

  private classifyIpv6In(snap: Snapshot, groups: Uint16Array): AddressClass {
    const special = v6Find(SPECIAL_V6, groups);
    if (special?.self) return { kind: 'self', code: special.code, reason: special.what };
    const own = v6Find(snap.self6, groups);
    if (own) return { kind: 'self', code: 'own-ip', reason: own.what };
    const lan = v6Find(snap.lan6, groups);
    if (lan) return { kind: 'lan', code: 'lan', reason: lan.what };
    const allowed = v6Find(snap.allowed6, groups);
    if (allowed) return { kind: 'allowed', code: 'allowlisted', reason: allowed.what };
    if (this.deps.extraAllowed?.(ipv6Text(groups)) === true)
      return { kind: 'allowed', code: 'allowlisted', reason: 'on the allow-list' };
    if (special) return { kind: 'special', code: special.code, reason: special.what };
    return OUTSIDE;
  }

  /**
   * Every entry a network touches, read fresh (a block decision must see an /allow made a
   * second ago): special ranges first, then the LAN, the household's own IP, the allow-list.
   */
  overlapping(network: Cidr): ScopeOverlap[] {
    const snap = this.reload();
    const out: ScopeOverlap[] = [];
    for (const range of SPECIAL_RANGES) {
      const hit = range.set.cidrs.find((c) => cidrsOverlap(c, network));
      if (hit)
        out.push({ kind: range.self ? 'self' : 'special', code: range.code, entry: hit, what: range.what });
    }
    const lan = snap.lan.find((e) => cidrsOverlap(e.cidr, network));
    if (lan) out.push({ kind: 'lan', code: 'lan', entry: lan.cidr, what: lan.what });
    const own = snap.self.find((e) => cidrsOverlap(e.cidr, network));
    if (own) out.push({ kind: 'self', code: 'own-ip', entry: own.cidr, what: own.what });
    const allowed = snap.allowed.find((e) => cidrsOverlap(e.cidr, network));
    if (allowed) out.push({ kind: 'allowed', code: 'allowlisted', entry: allowed.cidr, what: allowed.what });
    return out;
  }

  /** Records a public address a source reported; the scope changes at once when it is new. */
  learn(source: PublicAddressSource, ip: string): void {
    const canonical = parseIp(ip)?.toString();
    if (!canonical || !this.deps.learned) return;
    if (this.deps.learned.record(source, canonical, this.deps.now())) this.reload();
  }

  /** What each source last reported (for checks comparing sources, and /status). */
  learnedAddresses(): readonly LearnedPublicAddress[] {
    return this.deps.learned?.all() ?? [];
  }

  /** Re-reads the database sources now (after /allow, before a block decision). */
  refresh(): void {
    this.reload();
  }

  private reload(): Snapshot {
    const next = this.read();
    if (next.signature !== this.snapshot.signature) this.version_++;
    this.snapshot = next;
    return next;
  }

  private current(): Snapshot {
    const now = this.deps.now();
    const maxAge = this.deps.maxAgeMs ?? 5_000;
    if (now - this.snapshot.readAt > maxAge || now >= this.snapshot.staleAt) return this.reload();
    return this.snapshot;
  }

  private read(): Snapshot {
    const now = this.deps.now();
    const allowRows = this.deps.allowEntries?.(now) ?? [];
    const live = allowRows.filter((e) => e.expiresAt === undefined || e.expiresAt > now);
    const allowed = [
      ...this.configAllowed,
      ...live.flatMap((e) => {
        const cidr = parseCidr(e.cidr);
        if (!cidr) return [];
        const until = e.expiresAt === undefined ? '' : ` until ${new Date(e.expiresAt).toISOString()}`;
        return [{ cidr, what: `on the allow-list (${cidr.text} added with /allow${until})` }];
      }),
    ];
    const staleAt = Math.min(
      Number.POSITIVE_INFINITY,
      ...live.flatMap((e) => (e.expiresAt === undefined ? [] : [e.expiresAt])),
    );
    const self = [...this.configSelf, ...trustedLearned(this.deps.learned?.all() ?? [])];
    const signature = JSON.stringify([
      this.configLan.length,
      self.map((e) => e.cidr.text),
      allowed.map((e) => e.cidr.text),
    ]);
    const lan6 = v6Table(this.configLan);
    const self6 = v6Table(self);
    const allowed6 = v6Table(allowed);
    return {
      lan: this.configLan,
      self,
      allowed,
      lan4: v4Table(this.configLan),
      self4: v4Table(self),
      allowed4: v4Table(allowed),
      lan6,
      self6,
      allowed6,
      long6: v6Long([SPECIAL_V6, lan6, self6, allowed6]),
      readAt: now,
      staleAt,
      signature,
    };
  }
}

/**
 * Learned addresses that may protect: Plex's and NAT-PMP's; the router's only when one of them
 * reports the same address (then the entry names both).
 */
function trustedLearned(learned: readonly LearnedPublicAddress[]): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<string>();
  const trusted = learned.filter((a) => a.source !== 'router');
  for (const a of trusted) {
    const cidr = parseCidr(a.ip);
    if (!cidr || seen.has(cidr.text)) continue;
    seen.add(cidr.text);
    const agreeing = learned.filter((b) => b.ip === a.ip).map((b) => SOURCE_NAME[b.source]);
    out.push({
      cidr,
      what: `this server's own public IP (${a.ip}, learned from ${agreeing.join(' and ')} at ${new Date(a.learnedAt).toISOString()})`,
    });
  }
  return out;
}

function entries(texts: readonly string[], what: (cidr: string) => string): Entry[] {
  return CidrSet.parse(texts).cidrs.map((cidr) => ({ cidr, what: what(cidr.text) }));
}

function host(cidr: string): string {
  return cidr.replace(/\/(32|128)$/, '');
}

function find(list: readonly Entry[], ip: IpAddress): Entry | undefined {
  return list.find((e) => e.cidr.address.kind() === ip.kind() && ip.match(e.cidr.address, e.cidr.prefix));
}
