import type { Clock, TimerHandle, Timers } from '../../src/kernel/clock.js';

/**
 * A clock tests move by hand. It is also the scheduler's timers: moving it fires every timer
 * that falls due on the way, in time order, with `now()` at each timer's time.
 */
export class ManualClock implements Clock, Timers {
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.moveTo(this.current + ms);
  }

  set(ms: number): void {
    this.moveTo(ms);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.current + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }

  /** Timers not yet fired. */
  get timers(): number {
    return this.pending.size;
  }

  /** When the earliest pending timer fires. */
  nextTimerAt(): number | undefined {
    const times = [...this.pending.values()].map((t) => t.at);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  private moveTo(target: number): void {
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.pending.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].fn();
    }
    this.current = Math.max(this.current, target);
  }
}
