import { AddressTable } from '../address-table.js';
import type { LogEvent } from '../log-event.js';
import { eventAddress, isRange, windowKey } from './network-window.js';
import { type Seen, SeenChunks } from './seen-chunks.js';
import type { Detection, DetectorContext, DetectorInstance, StateRow } from './types.js';

/**
 * "Never seen before" detectors: remember every outside address (bounded), stay quiet while
 * the first pass learns the baseline, and report an address the first time it shows up later.
 * Nothing expires by time: an address seen once is known. IPv6 is remembered by network
 * (LOG_IPV6_PREFIX, seenKey): a phone's temporary addresses (RFC 8981) rotate inside the /64 of
 * its home line, and one network's finding is keyed and rendered by the network.
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
  /** Its key. */
  private unknownKey = '';

  /** The key an address (or the network the address book gave for it) is remembered under. */
  keyOf(ip: string): string {
    return windowKey(ip, this.ctx.settings.ipv6Prefix);
  }

  settled(ip: string): boolean {
    const key = this.keyOf(ip);
    if (this.table.has(key)) return true;
    this.unknown = ip;
    this.unknownKey = key;
    return false;
  }

  observe(ev: LogEvent, ip: string, time: number, learning: boolean): boolean {
    const fresh = ip === this.unknown;
    const key = fresh ? this.unknownKey : this.keyOf(ip);
    this.unknown = '';
    if (!fresh && this.table.has(key)) return false;
    if (!isRange(key)) {
      this.table.add(ip, { firstAt: time, flagged: !learning, user: ev.user });
      return !learning;
    }
    // The address that showed the network first: from the line (none was written per address).
    const first = isRange(ip) ? eventAddress(ev) : ip;
    this.table.add(key, { firstAt: time, flagged: !learning, user: ev.user, first });
    if (key === ip) return !learning;
    // The finding is the network's: rendered (and keyed) under the network, not this address.
    if (!learning) this.ctx.changed(key, time);
    return false;
  }

  /** The flagged entry under `key` (an address, or a network as seenKey writes it). */
  protected entry(key: string): Seen | undefined {
    const s = this.table.get(key);
    return s?.flagged ? s : undefined;
  }

  /**
   * How a finding names its key: the address, or the network with the address first seen in it
   * (`2001:db8:1:2::/64 (first 2001:db8:1:2::7)`).
   */
  protected where(key: string, s: Seen): string {
    return s.first === undefined ? key : `${key} (first ${s.first})`;
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
    this.stored.restore(rows, this.ctx.maxTracked, (ip) => this.keyOf(ip));
  }
}
