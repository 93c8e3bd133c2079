/**
 * Everything the bot knows about one address, gathered once for `/whois` and
 * `plex-warden whois` alike (whois-sections.ts turns it into the lines both show).
 */
import type { InternetDbResult } from '../adapters/internetdb/internetdb-client.js';
import type { SourceCounts } from '../adapters/sqlite/address-history-repository.js';
import type { StoredFinding } from '../adapters/sqlite/finding-repository.js';
import type { AddressFacts } from '../domain/address-facts.js';
import type { AppContext } from '../domain/app-context.js';
import type { AllowlistEntry, Ban } from '../domain/ban.js';
import { type PlexSession, readSessions } from '../exposure/plex-resources.js';
import { UserError } from '../kernel/errors.js';
import { SLOW_WINDOW_PREFIX } from '../logs/detectors/brute-force.js';
import { SEEN_CHUNK_PREFIX, seenInChunk, seenKey } from '../logs/detectors/seen-chunks.js';
import { addressLabel } from '../net/address-label.js';
import type { AddressClass } from '../net/address-scope.js';
import { addressProblem, cidrContains, type IpAddress, normalizeIp, parseCidr, parseIp } from '../net/ip.js';

export type WhoisDeps = Pick<
  AppContext,
  'repos' | 'scope' | 'addressFacts' | 'clock' | 'config' | 'plex' | 'internetDb'
>;

/** One log source's view of the address: totals, and the first and last time it was seen. */
export interface SourceSighting extends SourceCounts {
  /** First local day with a failure or 4xx (daily counts are kept 62 days), or when a detector first saw it. */
  readonly firstSeen: string | undefined;
}

/** A detector's window (or baseline entry) for the address, as it stands. */
export interface DetectorWindow {
  readonly sourceId: string;
  /** `brute-force`, `brute-force (slow)`, `probing`, `bad-plex-token`, `first-seen-remote`… */
  readonly detector: string;
  /** How far back the window looks (undefined for baselines, or a source no longer configured). */
  readonly windowMs: number | undefined;
  /** Failures, distinct 4xx paths or rejected tokens in the window; undefined for a "seen before" baseline. */
  readonly count: number | undefined;
  readonly firstAt: number | undefined;
  readonly lastAt: number;
  readonly flagged: boolean;
  /** The account the lines named (last user tried, the user a first sighting signed in as). */
  readonly account: string | undefined;
}

export type WhoisInternetDb =
  | InternetDbResult
  /** WHOIS_INTERNETDB is off, the address is not a public IPv4 one, or the lookup threw. */
  | { readonly kind: 'off' | 'not-public' | 'ipv6' };

export type WhoisSessions =
  | { readonly kind: 'read'; readonly sessions: readonly PlexSession[] }
  | { readonly kind: 'unavailable' };

export interface Whois {
  readonly ip: string;
  readonly label: string;
  readonly scope: AddressClass;
  readonly facts: AddressFacts | undefined;
  readonly now: number;
  readonly seen: readonly SourceSighting[];
  readonly windows: readonly DetectorWindow[];
  readonly findings: readonly StoredFinding[];
  /** All findings about the address; `findings` holds the newest of them. */
  readonly findingCount: number;
  /** Active bans of the address or of a range holding it. */
  readonly activeBans: readonly Ban[];
  /** Bans of exactly this address, newest first (active ones included). */
  readonly banHistory: readonly Ban[];
  /** Allow-list entries holding the address, expired ones included (shown as such). */
  readonly allows: readonly AllowlistEntry[];
  /** Plex sessions streaming from the address right now. */
  readonly sessions: WhoisSessions;
  /** Accounts seen from the address: Plex sessions now and the names the logs gave. */
  readonly accounts: readonly string[];
  readonly internetDb: WhoisInternetDb;
}

/** Window lengths by detector row, from the source's settings (LOG_FIND_TIME and friends). */
function windowOf(deps: WhoisDeps, sourceId: string, detector: string, slow: boolean): number | undefined {
  const source = deps.config.logs.sources.find((s) => s.id === sourceId);
  if (!source) return undefined;
  const s = deps.config.logs.settings[source.kind];
  if (detector === 'brute-force') return slow ? s.slowFindTimeMs : s.findTimeMs;
  if (detector === 'probing') return s.probeFindTimeMs;
  if (detector === 'bad-plex-token') return s.findTimeMs;
  return undefined;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * What the log review keeps the address under: the address, and for IPv6 its network of each
 * kind's LOG_IPV6_PREFIX (the seen detectors and the counts key IPv6 by it, seenKey).
 */
function networkKeys(deps: WhoisDeps, ip: string): string[] {
  return [
    ...new Set([ip, ...Object.values(deps.config.logs.settings).map((s) => seenKey(ip, s.ipv6Prefix))]),
  ];
}

/**
 * The detectors' own state rows (sliding-window.ts, probing.ts, seen-detector.ts): read by their
 * fields, each optional, so a row of an older or newer shape shows what it has.
 */
function detectorWindows(deps: WhoisDeps, ip: string, keys: readonly string[]): DetectorWindow[] {
  const history = deps.repos.addressHistory;
  // A seen detector keeps its addresses in chunks (seen-chunks.ts): the address's entry is its
  // row, under its IPv6 network (LOG_IPV6_PREFIX) or, not rewritten yet, the address itself.
  const seen = keys.flatMap((key) =>
    history.chunkRows(key, SEEN_CHUNK_PREFIX).flatMap((row) => {
      const s = seenInChunk(row.state, key);
      const via = key === ip ? '' : ` (network ${key}, first ${s?.first ?? 'unknown'})`;
      return s ? [{ ...row, key: ip, via, state: JSON.stringify(s), lastAt: s.firstAt }] : [];
    }),
  );
  // The order of the query's ORDER BY (binary), chunk entries merged in.
  const order = (r: { sourceId: string; detector: string; key: string }) =>
    `${r.sourceId}\0${r.detector}\0${r.key}`;
  // The windows: under the address, or under its network (every window of an IPv6 address is kept
  // per LOG_IPV6_PREFIX network), the slow window's marked.
  const kept = keys.flatMap((key) =>
    history.detectorRows(key, [SLOW_WINDOW_PREFIX]).map((row) => {
      if (key === ip) return row;
      const slow = row.key.startsWith(SLOW_WINDOW_PREFIX);
      return { ...row, key: slow ? `${SLOW_WINDOW_PREFIX}${ip}` : ip, network: key };
    }),
  );
  const rows = [...kept, ...seen].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return rows.map((row) => {
    let state: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(row.state);
      if (typeof parsed === 'object' && parsed !== null) state = parsed as Record<string, unknown>;
    } catch {
      // Shown with what the row itself says: its source, detector and time.
    }
    const slow = row.key !== ip;
    const via =
      'via' in row
        ? row.via
        : 'network' in row
          ? ` (network ${row.network}, e.g. ${str(state.addr) ?? 'unknown'})`
          : '';
    return {
      sourceId: row.sourceId,
      detector: slow ? `${row.detector} (slow)${via}` : `${row.detector}${via}`,
      windowMs: windowOf(deps, row.sourceId, row.detector, slow),
      count: num(state.total),
      firstAt: num(state.firstAt),
      lastAt: num(state.lastAt) ?? row.lastAt,
      flagged: (num(state.flaggedAt) ?? 0) > 0 || state.flagged === true,
      account: str(state.user) ?? str(state.note),
    };
  });
}

/**
 * Per source: the counts, and the first time it saw the address, the earlier of its first day
 * with a failure or 4xx and a detector's first sighting. A source that only saw the address get
 * in (first-seen-remote) is listed too, with zero counts.
 */
function sightings(
  deps: WhoisDeps,
  keys: readonly string[],
  windows: readonly DetectorWindow[],
): SourceSighting[] {
  const history = deps.repos.addressHistory;
  const bySource = new Map<string, { counts: SourceCounts; first: string[] }>();
  const entry = (sourceId: string, lastAt = 0) => {
    let e = bySource.get(sourceId);
    if (!e) {
      e = { counts: { sourceId, failures: 0, clientErrors: 0, badTokens: 0, lastAt }, first: [] };
      bySource.set(sourceId, e);
    }
    return e;
  };
  for (const c of history.counts(keys)) entry(c.sourceId).counts = c;
  for (const d of history.days(keys)) entry(d.sourceId).first.push(d.firstDay);
  for (const w of windows) {
    const e = entry(w.sourceId, w.lastAt);
    if (e.counts.lastAt < w.lastAt) e.counts = { ...e.counts, lastAt: w.lastAt };
    if (w.firstAt !== undefined) e.first.push(new Date(w.firstAt).toISOString().slice(0, 10));
  }
  return [...bySource.values()]
    .map((e) => ({ ...e.counts, firstSeen: e.first.sort()[0] }))
    .sort((a, b) => a.sourceId.localeCompare(b.sourceId));
}

async function sessionsFrom(deps: WhoisDeps, ip: string, signal: AbortSignal): Promise<WhoisSessions> {
  try {
    const all = await readSessions({ plex: deps.plex, signal });
    const same = (text: string | undefined) => text !== undefined && normalizeIp(text) === ip;
    return { kind: 'read', sessions: all.filter((s) => same(s.address) || same(s.remotePublicAddress)) };
  } catch {
    // Plex down or unreachable: the rest of the answer stands, and says so.
    return { kind: 'unavailable' };
  }
}

async function internetDbFor(deps: WhoisDeps, w: { ip: string; parsed: IpAddress }, signal: AbortSignal) {
  if (!deps.config.exposure.whoisInternetDb) return { kind: 'off' } as const;
  // InternetDB answers for IPv4 only (https://internetdb.shodan.io/docs).
  if (w.parsed.kind() === 'ipv6') return { kind: 'ipv6' } as const;
  // An allow-listed address may be public too, so the scope does not decide: the range does
  // (ipaddr.js names every special-purpose IPv4 block; what is left is 'unicast').
  if (w.parsed.range() !== 'unicast') return { kind: 'not-public' } as const;
  try {
    return await deps.internetDb.lookup(w.ip, signal);
  } catch {
    // Cut off by the signal: said as a failed lookup, like any other.
    return { kind: 'error', ip: w.ip, message: 'no answer in time' } as const;
  }
}

/** The address whois was asked about; a UserError (shown as is) for anything else. */
export function parseWhoisAddress(text: string): IpAddress {
  const input = text.trim();
  if (input.includes('/')) {
    throw new UserError(
      'whois takes one address, not a range (a /0 would be every address): e.g. 203.0.113.7',
    );
  }
  const problem = addressProblem(input);
  if (problem) throw new UserError(problem);
  const parsed = parseIp(input);
  if (!parsed) throw new UserError(`"${input.slice(0, 60)}" is not an IPv4 or IPv6 address.`);
  return parsed;
}

/** Gathers the answer for a parsed address; the outside calls are bounded by `signal`. */
export async function gatherWhois(deps: WhoisDeps, parsed: IpAddress, signal: AbortSignal): Promise<Whois> {
  const ip = parsed.toString();
  const now = deps.clock.now();
  const { repos } = deps;
  const scope = deps.scope.classify(parsed);
  const keys = networkKeys(deps, ip);
  const windows = detectorWindows(deps, ip, keys);
  const holds = (text: string) => {
    const cidr = parseCidr(text);
    return cidr !== undefined && cidrContains(cidr, parsed);
  };
  const [sessions, internetDb] = await Promise.all([
    sessionsFrom(deps, ip, signal),
    internetDbFor(deps, { ip, parsed }, signal),
  ]);
  const accounts = new Set<string>();
  if (sessions.kind === 'read')
    for (const s of sessions.sessions) if (s.userTitle !== undefined) accounts.add(s.userTitle);
  for (const w of windows) if (w.account !== undefined) accounts.add(w.account);
  return {
    ip,
    label: addressLabel(ip, deps.addressFacts),
    scope,
    facts: deps.addressFacts.lookup(ip),
    now,
    seen: sightings(deps, keys, windows),
    windows,
    findings: repos.findings.mentioning(ip, 50),
    findingCount: repos.findings.countMentioning(ip),
    activeBans: repos.bans.active().filter((b) => holds(b.target)),
    banHistory: repos.bans.historyFor(ip, 50),
    allows: repos.allowlist.all().filter((e) => holds(e.cidr)),
    sessions,
    accounts: [...accounts],
    internetDb,
  };
}
