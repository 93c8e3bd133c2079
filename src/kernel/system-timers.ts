import schedule from 'node-schedule';
import type { Timers } from './clock.js';
import { setCronLocale } from './cron-locale.js';

// Apart from clock.ts so that what only reads the time (replay, the CLI) does not load
// node-schedule and the cron-parser and luxon it brings.
/** Node's timers, unref'd: a pending wait never keeps the process alive on shutdown. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  cron: (expression, fn) => {
    setCronLocale();
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
