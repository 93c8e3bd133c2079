import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import { isRange, noteAddress, restoreWindow, windowKey } from './network-window.js';
import {
  addFailure,
  decodeWindow,
  encodeWindow,
  mergeWindows,
  newWindow,
  type WindowState,
  windowExpired,
} from './sliding-window.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

/**
 * Shared machinery of the count-in-a-window detectors (brute force, bad Plex token). IPv6 is
 * counted per network (LOG_IPV6_PREFIX below 128, keyed as seenKey writes it): RFC 8981 temporary
 * addresses rotate inside the /64 a subscriber line gets (RFC 6177), so one window per network
 * sees an attacker that changes address on every try, and its evidence keeps how many different
 * addresses took part and one of them. With 128, and for IPv4, one window per address (fail2ban's).
 */
export abstract class WindowDetector implements DetectorInstance {
  abstract readonly id: string;
  abstract readonly mask: number;
  readonly table: AddressTable<WindowState>;

  constructor(
    protected readonly ctx: DetectorContext,
    private readonly threshold: number,
    readonly findTimeMs: number,
  ) {
    this.table = new AddressTable(ctx.maxTracked);
  }

  protected note(_ev: LogEvent): string {
    return '';
  }

  settled(): boolean {
    return false;
  }

  /** `ip`: the address, or its network when the address book gave that. */
  observe(ev: LogEvent, ip: string, time: number): boolean {
    const key = windowKey(ip, this.ctx.settings.ipv6Prefix);
    let w = this.table.get(key);
    if (w === undefined || (w.flaggedAt !== 0 && windowExpired(w, time, this.findTimeMs))) {
      w = newWindow(time);
      this.table.set(key, w);
    } else {
      this.table.touch(key);
    }
    const note = this.note(ev);
    if (note !== '') w.note = note;
    if (key !== ip || isRange(key)) noteAddress(w, ev, ip);
    const flagged = addFailure(w, time, this.threshold, this.findTimeMs);
    // The finding is the network's: marked (and rendered) under its key, not the address.
    if (flagged && key !== ip) this.ctx.changed(key, time);
    return flagged && key === ip;
  }

  abstract render(key: string): Detection | undefined;

  /** The window of a flagged address or network. */
  protected flagged(key: string): WindowState | undefined {
    const w = this.table.get(key);
    return w === undefined || w.flaggedAt === 0 ? undefined : w;
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

  /**
   * Rows stored per IPv6 address fold into their network's window (restoreWindow): an attack going
   * on over the upgrade keeps its count instead of starting again (a window lasts minutes to a day,
   * and a finding flagged before stays flagged). Rows of a network of another prefix (the setting
   * changed) stay under their own key until their window ends and the sweep drops them.
   */
  restore(rows: readonly StateRow[]): void {
    const prefix = this.ctx.settings.ipv6Prefix;
    const merge = (a: WindowState, b: WindowState) => mergeWindows(a, b, this.threshold, this.findTimeMs);
    for (const row of rows) {
      const w = decodeWindow(row.state);
      if (w) restoreWindow(this.table, row.ip, w, prefix, merge);
    }
  }
}
