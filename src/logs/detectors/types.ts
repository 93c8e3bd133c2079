import type { LogDetectorSettings, LogSourceConfig } from '../../config/logs.js';
import type { AddressFactsLookup } from '../../domain/address-facts.js';
import type { FindingDraft } from '../../domain/finding.js';
import type { LogEvent } from '../log-event.js';

export interface DetectorContext {
  readonly source: LogSourceConfig;
  readonly settings: LogDetectorSettings;
  /** Bound on addresses this detector tracks for this source. */
  readonly maxTracked: number;
  /**
   * Marks a key other than the one observed as changed (the IPv6 network an address given alone
   * falls in), so that key's finding is rendered.
   */
  readonly changed: (key: string, time: number) => void;
  /** ASN and country shown next to an address in evidence; unknown when absent. */
  readonly addressFacts?: AddressFactsLookup;
}

/** Persisted per-address state: JSON text plus the log time it was last touched. */
export interface StateRow {
  readonly ip: string;
  readonly state: string;
  readonly lastAt: number;
}

/**
 * What a detector reports about one flagged address. It suggests nothing by itself: the action
 * table (detect/suggested-actions.ts) decides per detector what, if anything, is proposed.
 */
export interface Detection extends Omit<FindingDraft, 'action'> {
  /** The grounds in a few words ("brute force on sshd: 5+ failures within 10m"): an action's reason. */
  readonly grounds: string;
}

/**
 * One detector watching one source. It only ever sees addresses from outside the LAN that
 * are not allow-listed (the engine filters), and it never talks to Discord: it keeps state and
 * renders findings when asked.
 */
export interface DetectorInstance {
  readonly id: string;
  /** EV_* bits this detector wants. */
  readonly mask: number;
  /**
   * Takes one event for `ip`: the canonical address, or with LOG_IPV6_PREFIX below 128 its IPv6
   * network as the address book keys it (the address is then read from `ev` when needed).
   * `learning` is true while the first pass over a source builds its baseline (first-seen
   * detectors stay quiet). Returns true when the
   * finding for this address changed and must be rendered again.
   */
  observe(ev: LogEvent, ip: string, time: number, learning: boolean): boolean;
  /** True when an event for this address cannot change anything (already known): skips time parsing. */
  settled(ip: string): boolean;
  /** The current finding for an address, if it is flagged. */
  render(ip: string): Detection | undefined;
  /** Forgets windows that ended before `now` (log time). */
  sweep(now: number): void;
  /**
   * Writes the state changed since the last drain, at most `budget` rows (called inside the commit
   * transaction); returns how many.
   */
  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number;
  restore(rows: readonly StateRow[]): void;
  /** Forgets the changes since the last drain unwritten (a dry run keeps no state). */
  discard(): void;
  /** The counts of its AddressTable (or tables). */
  readonly table: TableCounts;
}

export interface TableCounts {
  /** Entries dropped because the bound was reached. */
  readonly evicted: number;
  /** Changes not yet drained (bounded by committing when the review loop sees it grow). */
  readonly pending: number;
  /** Addresses tracked now. */
  readonly size: number;
}

/** A registered detector; its id is its file name (the registry test checks it). */
export interface Detector<Id extends string = string> {
  readonly id: Id;
  create(ctx: DetectorContext): DetectorInstance;
}

/** Finding keys: `<detector>:<source>:<ip>`, stable across passes and restarts. */
export function findingKey(detector: string, sourceId: string, ip: string): string {
  return `${detector}:${sourceId}:${ip}`;
}

/**
 * Counts shown in evidence move in steps (threshold, 2x, 5x, 10x, ...), so a running attack
 * updates its alert a handful of times instead of on every review pass.
 */
export function milestone(count: number, threshold: number): number {
  let step = threshold;
  for (const factor of [2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000]) {
    if (count < threshold * factor) return step;
    step = threshold * factor;
  }
  return step;
}

/** Largest time a Date holds (ECMA-262, Time Values and Time Range): ±8.64e15 ms. */
const MAX_DATE_MS = 8.64e15;
/**
 * isoMinute's last answer, by minute: the findings of one commit point mostly share their
 * minute. A replay renders one first-seen finding per new address in its first commit points
 * (2,700 in the startup bench's 1M lines), and formatting each took ~6 us there (cold code).
 */
let cachedMinute = Number.NaN;
let cachedText = '';

export function isoMinute(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown time';
  const minute = Math.floor(ms / 60_000);
  if (minute === cachedMinute && Math.abs(ms) <= MAX_DATE_MS) return cachedText;
  const text = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  cachedMinute = minute;
  cachedText = text;
  return text;
}
