export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** An opaque handle from `Timers.setTimeout`. */
export type TimerHandle = unknown;

/** A recurring cron timer from `Timers.cron`. */
export interface CronTimer {
  /** When it fires next (epoch ms); undefined once cancelled. */
  next(): number | undefined;
  cancel(): void;
}

/**
 * How the job scheduler waits. Production uses Node's timers and node-schedule; tests pass a
 * fake clock that fires them as it is moved, so nothing waits on real time.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Calls `fn` at every time the cron expression matches (5 or 6 fields, local time) until
   * cancelled. The expression was validated when the configuration was read.
   */
  cron(expression: string, fn: () => void): CronTimer;
}
