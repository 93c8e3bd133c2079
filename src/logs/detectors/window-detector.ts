import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import {
  addFailure,
  decodeWindow,
  encodeWindow,
  newWindow,
  type WindowState,
  windowExpired,
} from './sliding-window.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

/** Shared machinery of the count-in-a-window detectors (brute force, bad Plex token). */
export abstract class WindowDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  protected readonly table: AddressTable<WindowState>;

  constructor(
    protected readonly ctx: DetectorContext,
    private readonly threshold: number,
    protected readonly findTimeMs: number,
  ) {
    this.table = new AddressTable(ctx.maxTracked);
  }

  get evicted(): number {
    return this.table.evicted;
  }

  get tracked(): number {
    return this.table.size;
  }

  protected note(_ev: LogEvent): string {
    return '';
  }

  settled(): boolean {
    return false;
  }

  observe(ev: LogEvent, ip: string, time: number): boolean {
    let w = this.table.get(ip);
    if (w === undefined || (w.flaggedAt !== 0 && windowExpired(w, time, this.findTimeMs))) {
      w = newWindow(time);
      this.table.set(ip, w);
    } else {
      this.table.touch(ip);
    }
    const note = this.note(ev);
    if (note !== '') w.note = note;
    return addFailure(w, time, this.threshold, this.findTimeMs);
  }

  abstract render(ip: string): Detection | undefined;

  protected flagged(ip: string): WindowState | undefined {
    const w = this.table.get(ip);
    return w !== undefined && w.flaggedAt !== 0 ? w : undefined;
  }

  sweep(now: number): void {
    for (const [ip, w] of this.table.map) {
      if (windowExpired(w, now, this.findTimeMs)) this.table.delete(ip);
    }
  }

  drain(write: (row: StateRow) => void, remove: (ip: string) => void): void {
    this.table.drain((ip, w) => write({ ip, state: encodeWindow(w), lastAt: w.lastAt }), remove);
  }

  restore(rows: readonly StateRow[]): void {
    for (const row of rows) {
      const w = decodeWindow(row.state);
      if (w) this.table.restore(row.ip, w);
    }
  }
}
