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
 * "Never seen before" detectors: remember every outside address (bounded), stay quiet while
 * the first pass learns the baseline, and report an address the first time it shows up later.
 * Nothing expires by time: an address seen once is known.
 */
export abstract class SeenDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  readonly table: AddressTable<Seen>;

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
    this.table.add(ip, { firstAt: time, flagged: !learning, user: ev.user });
    return !learning;
  }

  protected entry(ip: string): Seen | undefined {
    const s = this.table.get(ip);
    return s?.flagged ? s : undefined;
  }

  abstract render(ip: string): Detection | undefined;

  sweep(): void {}

  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number {
    return this.table.drain(
      (ip, s) => write({ ip, state: JSON.stringify(s), lastAt: s.firstAt }),
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
        this.table.restore(row.ip, {
          firstAt: s.firstAt ?? row.lastAt,
          flagged: s.flagged === true,
          user: s.user ?? '',
        });
      } catch {
        this.table.restore(row.ip, { firstAt: row.lastAt, flagged: false, user: '' });
      }
    }
  }
}
