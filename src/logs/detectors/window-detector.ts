import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import { ipv6Range } from './ipv6-range.js';
import {
  addFailure,
  decodeWindow,
  encodeWindow,
  newWindow,
  type WindowState,
  windowExpired,
} from './sliding-window.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

/**
 * Shared machinery of the count-in-a-window detectors (brute force, bad Plex token). With
 * `ranges`, an IPv6 failure also counts in the window of its network (LOG_IPV6_PREFIX, keyed by
 * the CIDR text in the same table), so addresses rotated inside one /64 add up.
 */
export abstract class WindowDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  readonly table: AddressTable<WindowState>;

  constructor(
    protected readonly ctx: DetectorContext,
    private readonly threshold: number,
    readonly findTimeMs: number,
    private readonly ranges = false,
  ) {
    this.table = new AddressTable(ctx.maxTracked);
  }

  protected note(_ev: LogEvent): string {
    return '';
  }

  settled(): boolean {
    return false;
  }

  observe(ev: LogEvent, ip: string, time: number): boolean {
    const w = this.window(ip, time);
    const note = this.note(ev);
    if (note !== '') w.note = note;
    if (this.ranges) this.observeRange(ip, time);
    return addFailure(w, time, this.threshold, this.findTimeMs);
  }

  private window(key: string, time: number): WindowState {
    let w = this.table.get(key);
    if (w === undefined || (w.flaggedAt !== 0 && windowExpired(w, time, this.findTimeMs))) {
      w = newWindow(time);
      this.table.set(key, w);
    } else {
      this.table.touch(key);
    }
    return w;
  }

  private observeRange(ip: string, time: number): void {
    const range = ipv6Range(ip, this.ctx.settings.ipv6Prefix);
    if (range === undefined) return;
    const w = this.window(range, time);
    if (w.note !== ip) {
      // One address alone is the per-address window's business; a second one makes it rotation.
      if (w.note !== '') w.spread = (w.spread ?? 0) + 1;
      w.note = ip;
    }
    if (addFailure(w, time, this.threshold, this.findTimeMs) && (w.spread ?? 0) > 0) {
      this.ctx.changed(range, time);
    }
  }

  abstract render(ip: string): Detection | undefined;

  /** The window of a flagged address, or of a flagged range several addresses shared. */
  protected flagged(key: string): WindowState | undefined {
    const w = this.table.get(key);
    if (w === undefined || w.flaggedAt === 0) return undefined;
    return isRange(key) && (w.spread ?? 0) === 0 ? undefined : w;
  }

  sweep(now: number): void {
    this.table.forEach((w, ip) => {
      if (windowExpired(w, now, this.findTimeMs)) this.table.delete(ip);
    });
  }

  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number {
    return this.table.drain(
      (ip, w) => write({ ip, state: encodeWindow(w), lastAt: w.lastAt }),
      remove,
      budget,
    );
  }

  discard(): void {
    this.table.discard();
  }

  restore(rows: readonly StateRow[]): void {
    for (const row of rows) {
      const w = decodeWindow(row.state);
      if (w) this.table.restore(row.ip, w);
    }
  }
}

/** Range windows are keyed by CIDR text, addresses never contain a slash. */
export function isRange(key: string): boolean {
  return key.indexOf('/') !== -1;
}
