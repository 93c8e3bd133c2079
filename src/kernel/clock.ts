import schedule from 'node-schedule';

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

/** Node's timers, unref'd: a pending wait never keeps the process alive on shutdown. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  cron: (expression, fn) => {
    // scheduleJob answers null for an expression it cannot parse
    // (https://github.com/node-schedule/node-schedule#cron-style-scheduling).
    const job = schedule.scheduleJob(expression, () => fn());
    if (job === null) throw new Error(`not a cron expression: ${expression}`);
    return {
      next: () => job.nextInvocation()?.getTime(),
      cancel: () => {
        job.cancel();
      },
    };
  },
};
