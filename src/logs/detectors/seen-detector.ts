import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

interface Seen {
  firstAt: number;
  /** Set when this address was reported (not learned quietly). */
  flagged: boolean;
  user: string;
}

/**
 * What the table holds per address. Most entries have no user (web sources): just the time,
 * `firstAt` learned quietly and `-1 - firstAt` reported. Up to 200,000 of them per source, and
 * under a flood each new address adds one: 16 bytes for a number instead of 64 for an object.
 */
type SeenEntry = Seen | number;

function pack(firstAt: number, flagged: boolean, user: string): SeenEntry {
  // Whole milliseconds only: `-1 - t` is exact for those, and they print the same in JSON.
  if (user !== '' || !Number.isSafeInteger(firstAt) || firstAt < 0) return { firstAt, flagged, user };
  return flagged ? -1 - firstAt : firstAt;
}

function unpack(e: SeenEntry): Seen {
  if (typeof e !== 'number') return e;
  return e < 0 ? { firstAt: -1 - e, flagged: true, user: '' } : { firstAt: e, flagged: false, user: '' };
}

/**
 * "Never seen before" detectors: remember every outside address (bounded), stay quiet while
 * the first pass learns the baseline, and report an address the first time it shows up later.
 * Nothing expires by time: an address seen once is known.
 */
export abstract class SeenDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  readonly table: AddressTable<SeenEntry>;

  constructor(protected readonly ctx: DetectorContext) {
    this.table = new AddressTable(ctx.maxTracked);
  }

  /**
   * The address `settled` just found unknown: the review loop observes it right after, and under
   * a flood of new addresses a second lookup in a table of 200,000 was a tenth of a line's cost.
   */
  private unknown = '';

  settled(ip: string): boolean {
    if (this.table.has(ip)) return true;
    this.unknown = ip;
    return false;
  }

  observe(ev: LogEvent, ip: string, time: number, learning: boolean): boolean {
    const known = ip === this.unknown ? false : this.table.has(ip);
    this.unknown = '';
    if (known) return false;
    this.table.add(ip, pack(time, !learning, ev.user));
    return !learning;
  }

  protected entry(ip: string): Seen | undefined {
    const e = this.table.get(ip);
    if (e === undefined) return undefined;
    const s = unpack(e);
    return s.flagged ? s : undefined;
  }

  abstract render(ip: string): Detection | undefined;

  sweep(): void {}

  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number {
    return this.table.drain(
      (ip, e) => {
        if (typeof e !== 'number') write({ ip, state: JSON.stringify(e), lastAt: e.firstAt });
        else {
          // JSON.stringify's text for the same object, written directly (a row per new address
          // under a flood): a whole number of milliseconds prints the same either way.
          const firstAt = e < 0 ? -1 - e : e;
          const state = `{"firstAt":${firstAt},"flagged":${e < 0},"user":""}`;
          write({ ip, state, lastAt: firstAt });
        }
      },
      remove,
      budget,
    );
  }

  discard(): void {
    this.table.discard();
  }

  restore(rows: readonly StateRow[]): void {
    for (const row of rows) {
      try {
        const s = JSON.parse(row.state) as Seen;
        this.table.restore(row.ip, pack(s.firstAt ?? row.lastAt, s.flagged === true, s.user ?? ''));
      } catch {
        this.table.restore(row.ip, pack(row.lastAt, false, ''));
      }
    }
  }
}
