import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';

/** Something with a due time: ban expiry, proposal expiry. */
export interface ExpiryJob {
  readonly name: string;
  /** Epoch ms of the next thing due, if any. */
  next(): number | undefined;
  /** Handles everything due now; errors are logged and the job is retried later. */
  run(): Promise<void>;
}

/**
 * One timer for all expiry work, armed for the earliest due time (and at least every
 * `maxWaitMs`, so a clock jump or a row written by another process is picked up). Start runs
 * everything overdue at once: bans that ran out while the bot was down are lifted on start.
 */
export class ExpiryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly jobs: readonly ExpiryJob[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxWaitMs = 60_000,
    private readonly retryMs = 5_000,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.runNow();
  }

  /** Re-arms the timer after something new was scheduled. */
  poke(): void {
    if (!this.stopped && !this.running) this.arm();
  }

  /** Runs every job now (no overlap) and re-arms. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      for (const job of this.jobs) {
        try {
          await job.run();
        } catch (error) {
          this.logger.error('expiry job failed', { job: job.name, error });
        }
      }
    })().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.arm();
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const dues = this.jobs.map((j) => j.next()).filter((t): t is number => t !== undefined);
    const next = dues.length > 0 ? Math.min(...dues) : undefined;
    const now = this.clock.now();
    // Still overdue right after a run means the work failed (firewall down): retry later, not in
    // a tight loop.
    const wait =
      next === undefined ? this.maxWaitMs : next <= now ? this.retryMs : Math.min(next - now, this.maxWaitMs);
    this.timer = setTimeout(() => void this.runNow(), wait);
    this.timer.unref();
  }
}
