import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import { type Seen, SeenChunks } from './seen-chunks.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

/**
 * "Never seen before" detectors: remember every outside address (bounded), stay quiet while
 * the first pass learns the baseline, and report an address the first time it shows up later.
 * Nothing expires by time: an address seen once is known.
 */
export abstract class SeenDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  /** Drops its oldest entries first and writes no per-address delete: the chunks cover that. */
  readonly table: AddressTable<Seen>;
  private readonly stored: SeenChunks;

  constructor(protected readonly ctx: DetectorContext) {
    this.table = new AddressTable(ctx.maxTracked, false);
    this.stored = new SeenChunks(this.table);
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

  /** A few chunk rows per commit whatever the budget (seen-chunks.ts). */
  drain(write: (row: StateRow) => void, remove: (ip: string) => void, _budget: number): number {
    return this.stored.drain(write, remove);
  }

  /** A dry run: nothing is drained, ever (the chunks are never built). */
  discard(): void {
    this.table.discard();
  }

  restore(rows: readonly StateRow[]): void {
    this.stored.restore(rows, this.ctx.maxTracked);
  }
}
