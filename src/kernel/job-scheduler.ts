import type { Clock, Timers } from './clock.js';
import { Job, type JobDefinition } from './job.js';
import type { Logger } from './logger.js';
import type { Service } from './service.js';
import { systemTimers } from './system-timers.js';

export interface JobSchedulerDeps {
  readonly clock: Clock;
  /** Default: Node's timers. Tests pass the fake clock. */
  readonly timers?: Timers;
  readonly logger: Logger;
}

/**
 * The one place timed work runs: scans (cron), log reviews (interval), ban and proposal expiry
 * and the remote-access switch-off (due times in the database), alert delivery retries (on
 * demand). Parts of the bot register their jobs here while the context is built; the scheduler
 * is a service the composition root starts after what the jobs need, and stops (waiting for
 * every running job) before it.
 */
export class JobScheduler implements Service {
  readonly name = 'jobs';
  private readonly registered: Job[] = [];
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(private readonly deps: JobSchedulerDeps) {}

  /** Registers a job. A job added after start starts at once; names are unique. */
  add(definition: JobDefinition): Job {
    if (this.registered.some((j) => j.name === definition.name))
      throw new Error(`A job named ${definition.name} is already registered`);
    const job = new Job(definition, {
      clock: this.deps.clock,
      timers: this.deps.timers ?? systemTimers,
      logger: this.deps.logger.child({ job: definition.name }),
    });
    this.registered.push(job);
    if (this.state === 'started') void job.start().catch(() => undefined);
    if (this.state === 'stopped') void job.stop();
    return job;
  }

  get jobs(): readonly Job[] {
    return this.registered;
  }

  /** The timers jobs wait on (tests: the fake clock), for parts that time something between runs. */
  get timers(): Timers {
    return this.deps.timers ?? systemTimers;
  }

  /** Starts every job in the order registered (a `due` job with overdue work runs it first). */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'started';
    for (const job of this.registered) await job.start();
  }

  /** Stops every job, latest registered first, each waiting for its run in progress. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    // Stop every timer at once first, so nothing new fires while the running ones finish.
    const jobs = [...this.registered].reverse();
    await Promise.all(jobs.map((job) => job.stop()));
  }
}
