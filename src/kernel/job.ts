import type { Clock, CronTimer, TimerHandle, Timers } from './clock.js';
import { logError } from './errors.js';
import type { Logger } from './logger.js';
import type { Service } from './service.js';

/** setTimeout's limit (2^31-1 ms, https://nodejs.org/api/timers.html#settimeoutcallback-delay-args); longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;
/** A `due` job still overdue after a run without a retry policy looks again this much later. */
const DEFAULT_RECHECK_MS = 60_000;

export type JobSchedule =
  /**
   * At the times of a cron expression (5 or 6 fields, local time), the syntax SCAN_SCHEDULE is
   * validated with. The times come from the timers' cron (node-schedule in production, the
   * fake clock in tests). A run still going at the next time, or a retry waiting, makes that
   * time skipped, not doubled.
   */
  | { readonly kind: 'cron'; readonly expression: string }
  /** `everyMs` after the previous run ended (runs never pile up); the first `firstMs` after start. */
  | { readonly kind: 'interval'; readonly everyMs: number; readonly firstMs?: number }
  /**
   * When `next()` falls due (a time stored in the database). Start runs overdue work at once;
   * `recheckMs` bounds the wait, so a row written by another process or a clock jump is seen.
   */
  | { readonly kind: 'due'; readonly next: () => number | undefined; readonly recheckMs?: number }
  /** Only when asked (`runNow`), and for its retries. */
  | { readonly kind: 'on-demand' };

/** Exponential: firstMs, firstMs × factor, … up to maxMs. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs?: number;
  /** Default 2. */
  readonly factor?: number;
}

/** `retry`: the work is not done (the job said why in its own log line); try again after the backoff. */
export type JobOutcome = 'done' | 'retry';

export interface JobDefinition {
  readonly name: string;
  readonly schedule: JobSchedule;
  /**
   * One run. A throw is logged and counts as `retry`. `signal` aborts when the job is stopped:
   * a run that loops (delivering a queue) ends after the item in hand.
   */
  run(signal: AbortSignal): Promise<JobOutcome | undefined>;
  /** Without it, a failed run simply waits for its next scheduled time. */
  readonly retry?: Backoff;
}

export interface JobEnvironment {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
}

export function backoffMs(policy: Backoff, failures: number): number {
  const raw = policy.firstMs * (policy.factor ?? 2) ** Math.max(0, failures - 1);
  return Math.min(raw, policy.maxMs ?? Number.POSITIVE_INFINITY);
}

/**
 * One piece of recurring work. Never runs twice at once (`runNow` during a run waits for that
 * run), retries with backoff when told, and `stop` waits for a run in progress and fires
 * nothing after. Built by the JobScheduler.
 */
export class Job implements Service {
  private state: 'new' | 'started' | 'stopped' = 'new';
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private runs = 0;
  private readonly stopping = new AbortController();
  /** A cron job's recurring timer, from start to stop. */
  private cron: CronTimer | undefined;

  constructor(
    private readonly definition: JobDefinition,
    private readonly env: JobEnvironment,
  ) {}

  get name(): string {
    return this.definition.name;
  }

  /** Failed runs in a row (0 after a run that did its work). */
  get failureCount(): number {
    return this.failures;
  }

  /** Arms the first wait; a `due` job with overdue work runs it now, and start waits for it. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'started';
    const { schedule } = this.definition;
    if (schedule.kind === 'cron')
      this.cron = this.env.timers.cron(schedule.expression, () => this.cronFired());
    if (schedule.kind === 'due') {
      const next = schedule.next();
      if (next !== undefined && next <= this.env.clock.now()) {
        await this.runNow();
        return;
      }
    }
    this.arm();
  }

  /** No more runs; resolves when the run in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.clearTimer();
    this.cron?.cancel();
    this.stopping.abort(new Error(`job ${this.name} stopped`));
    await this.running;
  }

  /** Runs now, or joins the run in progress. Nothing after stop(). */
  runNow(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.running) return this.running;
    this.clearTimer();
    const run = this.execute();
    this.running = run;
    return run;
  }

  /** Something changed what `next()` answers (a ban stored, a switch-off scheduled): re-arm. */
  poke(): void {
    if (!this.running) this.arm();
  }

  /** When the next run is due, if one is armed (a retry before the next cron time). */
  nextAt(): number | undefined {
    if (this.timer !== undefined) return this.timerAt;
    return this.state === 'started' ? this.cron?.next() : undefined;
  }

  /** Resolves when no run is in progress (for tests driving a fake clock). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async execute(): Promise<void> {
    let outcome: JobOutcome;
    try {
      outcome = (await this.definition.run(this.stopping.signal)) ?? 'done';
    } catch (error) {
      logError(error, this.env.logger, { during: 'in a job', job: this.name });
      outcome = 'retry';
    }
    const { schedule } = this.definition;
    // Still overdue right after a run means the work failed (the firewall is down): back off
    // instead of running again in a tight loop.
    if (outcome === 'done' && schedule.kind === 'due') {
      const next = schedule.next();
      if (next !== undefined && next <= this.env.clock.now()) outcome = 'retry';
    }
    this.runs += 1;
    this.failures = outcome === 'retry' ? this.failures + 1 : 0;
    this.running = undefined;
    this.arm();
  }

  /** A cron time: skipped while a run is in progress or a retry is armed (it goes first). */
  private cronFired(): void {
    if (this.state !== 'started' || this.running || this.timer !== undefined) return;
    // runNow never rejects: execute catches what the job throws.
    void this.runNow();
  }

  private arm(): void {
    this.clearTimer();
    if (this.state !== 'started') return;
    const now = this.env.clock.now();
    const at = this.nextRunAt(now);
    if (at === undefined) return;
    const delay = Math.max(0, at - now);
    const capped = delay > MAX_TIMER_MS;
    this.timerAt = at;
    this.timer = this.env.timers.setTimeout(
      () => {
        this.timer = undefined;
        if (capped) {
          this.arm();
          return;
        }
        // runNow never rejects: execute catches what the job throws.
        void this.runNow();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  private nextRunAt(now: number): number | undefined {
    const { schedule, retry } = this.definition;
    if (this.failures > 0) {
      if (retry) return now + backoffMs(retry, this.failures);
      if (schedule.kind === 'due') return now + (schedule.recheckMs ?? DEFAULT_RECHECK_MS);
    }
    switch (schedule.kind) {
      case 'interval':
        return now + (this.runs === 0 ? (schedule.firstMs ?? schedule.everyMs) : schedule.everyMs);
      case 'due': {
        const next = schedule.next();
        const recheck = schedule.recheckMs === undefined ? undefined : now + schedule.recheckMs;
        if (next === undefined) return recheck;
        return recheck === undefined ? next : Math.min(next, recheck);
      }
      case 'cron':
      case 'on-demand':
        return undefined;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.env.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
