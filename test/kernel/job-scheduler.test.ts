import schedule from 'node-schedule';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/kernel/clock.js';
import { backoffMs } from '../../src/kernel/job.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ServiceGroup } from '../../src/kernel/service-group.js';
import { ManualClock, nextCronTime } from '../harness/manual-clock.js';

/** Settles the promise chains a fired timer started (job runs resolve on microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A run that stays in progress until the test lets it finish. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

const make = (start = new Date(2026, 0, 1, 12, 0, 0).getTime()) => {
  const clock = new ManualClock(start);
  const scheduler = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
  return { clock, scheduler };
};

describe('JobScheduler (fake clock)', () => {
  it('fires a cron job at each matching time and reports the next one', async () => {
    const { clock, scheduler } = make();
    const fired: number[] = [];
    const job = scheduler.add({
      name: 'scan',
      schedule: { kind: 'cron', expression: '*/30 * * * *' },
      run: async () => {
        fired.push(clock.now());
        return 'done';
      },
    });
    await scheduler.start();
    const first = new Date(2026, 0, 1, 12, 30).getTime();
    expect(job.nextAt()).toBe(first);
    clock.advance(29 * 60_000);
    await settle();
    expect(fired).toEqual([]);
    clock.advance(60_000);
    await job.idle();
    expect(fired).toEqual([first]);
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 13, 0).getTime());
    clock.advance(30 * 60_000);
    await job.idle();
    expect(fired).toEqual([first, new Date(2026, 0, 1, 13, 0).getTime()]);
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 13, 30).getTime());
    await scheduler.stop();
  });

  it('cron times are strictly after the given time (a time that fired is not chosen again)', () => {
    const at = new Date(2026, 0, 1, 12, 30).getTime();
    expect(nextCronTime('*/30 * * * *', at)).toBe(new Date(2026, 0, 1, 13, 0).getTime());
    expect(nextCronTime('*/30 * * * *', at - 1)).toBe(at);
  });

  it("the fake clock's cron times are the ones node-schedule fires at (same parser, same local time)", () => {
    for (const expression of ['*/30 * * * *', '0 3 * * *', '*/15 9-17 * * 1-5', '30 */2 * * * *']) {
      // node-schedule computes from the real time when it is scheduled; a boundary crossed in
      // between makes either answer right.
      const before = nextCronTime(expression, Date.now());
      const job = schedule.scheduleJob(expression, () => undefined);
      const after = nextCronTime(expression, Date.now());
      try {
        expect([before, after]).toContain(job?.nextInvocation()?.getTime());
      } finally {
        job?.cancel();
      }
    }
  });

  it('an interval job waits its interval after the previous run ended', async () => {
    const { clock, scheduler } = make();
    const fired: number[] = [];
    const start = clock.now();
    const job = scheduler.add({
      name: 'review',
      schedule: { kind: 'interval', everyMs: 1_000, firstMs: 0 },
      run: async () => {
        fired.push(clock.now() - start);
        return 'done';
      },
    });
    await scheduler.start();
    clock.advance(0);
    await job.idle();
    clock.advance(999);
    await settle();
    expect(fired).toEqual([0]);
    clock.advance(1);
    await job.idle();
    clock.advance(1_000);
    await job.idle();
    expect(fired).toEqual([0, 1_000, 2_000]);
    await scheduler.stop();
  });

  it('never runs a job twice at once: runNow and the timer join the run in progress', async () => {
    const { clock, scheduler } = make();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const g = gate();
    const job = scheduler.add({
      name: 'slow',
      schedule: { kind: 'interval', everyMs: 100, firstMs: 0 },
      run: async () => {
        active += 1;
        runs += 1;
        maxActive = Math.max(maxActive, active);
        await g.opened;
        active -= 1;
        return 'done';
      },
    });
    await scheduler.start();
    clock.advance(0);
    const joined = job.runNow();
    clock.advance(10_000);
    await settle();
    expect(runs).toBe(1);
    g.open();
    await joined;
    expect(maxActive).toBe(1);
    expect(runs).toBe(1);
    await scheduler.stop();
  });

  it('retries with exponential backoff (capped), and a success resets it', async () => {
    const { clock, scheduler } = make();
    const attempts: number[] = [];
    let failUntil = 4;
    const start = clock.now();
    const job = scheduler.add({
      name: 'outbox',
      schedule: { kind: 'on-demand' },
      retry: { firstMs: 1_000, maxMs: 3_000 },
      run: async () => {
        attempts.push(clock.now() - start);
        if (attempts.length < failUntil) throw new Error('Discord is down');
        return 'done';
      },
    });
    await scheduler.start();
    await job.runNow();
    expect(job.failureCount).toBe(1);
    for (let i = 0; i < 4; i += 1) {
      const next = clock.nextTimerAt();
      if (next !== undefined) clock.set(next);
      await job.idle();
    }
    // 1 s, then 2 s, then capped at 3 s; the fourth attempt worked and nothing else is armed.
    expect(attempts).toEqual([0, 1_000, 3_000, 6_000]);
    expect(job.failureCount).toBe(0);
    expect(clock.timers).toBe(0);
    expect(backoffMs({ firstMs: 1_000, maxMs: 3_000 }, 10)).toBe(3_000);
    failUntil = 0;
    await scheduler.stop();
  });

  it('a due job runs overdue work on start, waits for the next due time, and backs off while still overdue', async () => {
    const { clock, scheduler } = make();
    const start = clock.now();
    let due: number | undefined = start - 1;
    let working = false;
    const runs: number[] = [];
    const job = scheduler.add({
      name: 'expiry',
      schedule: { kind: 'due', next: () => due, recheckMs: 60_000 },
      retry: { firstMs: 5_000 },
      run: async () => {
        runs.push(clock.now() - start);
        if (working) due = undefined;
        return 'done';
      },
    });
    await scheduler.start();
    expect(runs).toEqual([0]);
    // The work did not get done (still overdue): retry after 5 s, not in a tight loop.
    expect(job.nextAt()).toBe(start + 5_000);
    working = true;
    clock.advance(5_000);
    await job.idle();
    expect(runs).toEqual([0, 5_000]);
    // Nothing due: look again within recheckMs; a new due time pokes it earlier.
    expect(job.nextAt()).toBe(start + 65_000);
    due = start + 10_000;
    job.poke();
    expect(job.nextAt()).toBe(start + 10_000);
    await scheduler.stop();
  });

  it('stop() waits for the running job and fires nothing after', async () => {
    const { clock, scheduler } = make();
    const g = gate();
    let runs = 0;
    let finished = false;
    const job = scheduler.add({
      name: 'scan',
      schedule: { kind: 'interval', everyMs: 1_000, firstMs: 0 },
      run: async () => {
        runs += 1;
        await g.opened;
        finished = true;
        return 'done';
      },
    });
    await scheduler.start();
    clock.advance(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    g.open();
    await stopping;
    expect(finished).toBe(true);
    clock.advance(60_000);
    await job.runNow();
    await settle();
    expect(runs).toBe(1);
    expect(clock.timers).toBe(0);
  });

  it('refuses two jobs with one name', () => {
    const { scheduler } = make();
    const job = { name: 'x', schedule: { kind: 'on-demand' } as const, run: async () => 'done' as const };
    scheduler.add(job);
    expect(() => scheduler.add(job)).toThrow(/already registered/);
  });
});

describe('JobScheduler (production timers: node-schedule)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // vitest's fake timers replace Date and setTimeout, which node-schedule (through
  // long-timeout) reads, so its own scheduling runs here without waiting on real time.
  it('a cron job fires at node-schedule times, skips a time while still running, and leaves nothing armed after stop', async () => {
    vi.useFakeTimers({ now: new Date(2026, 0, 1, 12, 0, 0) });
    const scheduler = new JobScheduler({ clock: systemClock, logger: silentLogger() });
    const fired: number[] = [];
    let g = gate();
    const job = scheduler.add({
      name: 'scan',
      schedule: { kind: 'cron', expression: '*/30 * * * *' },
      run: async () => {
        fired.push(Date.now());
        await g.opened;
        return 'done';
      },
    });
    expect(vi.getTimerCount()).toBe(0);
    await scheduler.start();
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 12, 30).getTime());
    await vi.advanceTimersByTimeAsync(30 * 60_000 - 1);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([new Date(2026, 0, 1, 12, 30).getTime()]);
    // Still running at 13:00: that time is skipped, not run twice at once.
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(fired).toHaveLength(1);
    g.open();
    await job.idle();
    g = gate();
    g.open();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(fired).toEqual([new Date(2026, 0, 1, 12, 30).getTime(), new Date(2026, 0, 1, 13, 30).getTime()]);
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 14, 0).getTime());
    await scheduler.stop();
    expect(job.nextAt()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failed cron run retries after its backoff on Node timers, before the next cron time', async () => {
    vi.useFakeTimers({ now: new Date(2026, 0, 1, 12, 0, 0) });
    const scheduler = new JobScheduler({ clock: systemClock, logger: silentLogger() });
    const fired: number[] = [];
    const job = scheduler.add({
      name: 'report',
      schedule: { kind: 'cron', expression: '0 * * * *' },
      retry: { firstMs: 60_000 },
      run: async () => {
        fired.push(Date.now());
        return fired.length === 1 ? 'retry' : 'done';
      },
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 13, 1).getTime());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toEqual([new Date(2026, 0, 1, 13, 0).getTime(), new Date(2026, 0, 1, 13, 1).getTime()]);
    expect(job.nextAt()).toBe(new Date(2026, 0, 1, 14, 0).getTime());
    await scheduler.stop();
  });

  it('a cron expression node-schedule cannot read fails the start, not silently never runs', async () => {
    const scheduler = new JobScheduler({ clock: systemClock, logger: silentLogger() });
    scheduler.add({
      name: 'bad',
      schedule: { kind: 'cron', expression: 'every hour' },
      run: async () => 'done',
    });
    await expect(scheduler.start()).rejects.toThrow(/not a cron expression/);
    await scheduler.stop();
  });
});

describe('ServiceGroup', () => {
  const service = (name: string, log: string[], failStart = false) => ({
    name,
    start: async () => {
      log.push(`start ${name}`);
      if (failStart) throw new Error(`${name} failed`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
    },
  });

  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const group = new ServiceGroup([service('a', log), service('b', log), service('c', log)], silentLogger());
    await group.start();
    await group.stop();
    await group.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('a start that fails stops what started, in reverse, and rethrows', async () => {
    const log: string[] = [];
    const group = new ServiceGroup(
      [service('a', log), service('b', log, true), service('c', log)],
      silentLogger(),
    );
    await expect(group.start()).rejects.toThrow('b failed');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a stop that fails does not keep the others running', async () => {
    const log: string[] = [];
    const broken = { ...service('b', log), stop: async () => Promise.reject(new Error('stuck')) };
    const group = new ServiceGroup([service('a', log), broken, service('c', log)], silentLogger());
    await group.start();
    await group.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop a']);
  });
});
