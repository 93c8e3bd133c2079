export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** An opaque handle from `Timers.setTimeout`. */
export type TimerHandle = unknown;

/**
 * How the job scheduler waits. Production uses Node's timers; tests pass a fake clock that
 * fires them as it is moved, so nothing waits on real time.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, unref'd: a pending wait never keeps the process alive on shutdown. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
