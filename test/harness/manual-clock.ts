import cronParser from 'cron-parser';
import type { Clock, CronTimer, TimerHandle, Timers } from '../../src/kernel/clock.js';

/**
 * The first time the cron expression matches strictly after `after` (epoch ms), local time.
 * cron-parser is the parser node-schedule itself uses for cron strings (node-schedule
 * lib/Job.js `cronParser.parseExpression`), so these are the times production fires at.
 */
export function nextCronTime(expression: string, after: number): number {
  return cronParser
    .parseExpression(expression, { currentDate: new Date(after) })
    .next()
    .getTime();
}

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

  /** Each firing arms the next time strictly after its own, so a time never fires twice. */
  cron(expression: string, fn: () => void): CronTimer {
    let id: number | undefined;
    let at: number | undefined;
    const arm = (after: number) => {
      const next = nextCronTime(expression, after);
      at = next;
      id = this.nextId++;
      this.pending.set(id, {
        at: next,
        fn: () => {
          arm(next);
          fn();
        },
      });
    };
    arm(this.current);
    return {
      next: () => at,
      cancel: () => {
        if (id !== undefined) this.pending.delete(id);
        id = undefined;
        at = undefined;
      },
    };
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
