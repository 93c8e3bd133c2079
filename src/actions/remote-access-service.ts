/**
 * Switches Plex remote access off and on (for a while), and says what stays open.
 *
 * Off means: the Plex preference PublishServerOnPlexOnlineKey=0, then every UPnP mapping on
 * the router that forwards to Plex deleted, then both read back. Plex turning its flag off does
 * not remove a mapping it (or anything else) made, and the relay and customConnections keep
 * working regardless — the outcome lines say so instead of claiming "closed".
 *
 * "On for N" stores the switch-off time in the database before switching on, so a crash or
 * restart cannot leave remote access on forever: the switch-off is a `due` job of the job
 * scheduler, which runs it on start when it fell due while the bot was down, and retries it
 * with backoff until Plex confirms.
 */

import type { PlexClient } from '../adapters/plex/plex-client.js';
import { type RouterProbeOverrides, routerErrorText } from '../adapters/router/igd-locator.js';
import type { RouterHttp } from '../adapters/router/soap-client.js';
import { UpnpFaultError } from '../adapters/router/upnp-errors.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { RemoteAccessRepository } from '../adapters/sqlite/remote-access-repository.js';
import type { Config } from '../config/index.js';
import type { RouterConfig } from '../config/router.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import type { Job, JobOutcome } from '../kernel/job.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';
import type { RemoteAccessOutcome, RemoteAccessPort, RemoteAccessStatus } from './remote-access-port.js';
import { describeMapping, PREF, RemoteAccessReader } from './remote-access-reader.js';

export interface RemoteAccessServiceDeps {
  readonly plex: PlexClient;
  readonly router: RouterConfig;
  readonly repository: RemoteAccessRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Runs the scheduled switch-off (registered here as `remote-access-off`). */
  readonly jobs: JobScheduler;
  /** The first wait before retrying a scheduled switch-off that failed; doubles up to 15 min. Default 60 s. */
  readonly retryMs?: number;
  /** Test seam for SSDP/NAT-PMP targets; never set in production. */
  readonly routerOverrides?: RouterProbeOverrides;
}

export class RemoteAccessService implements RemoteAccessPort {
  private readonly reader: RemoteAccessReader;
  private readonly job: Job;
  /** Serialises switches: a timed switch-off and a command must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RemoteAccessServiceDeps) {
    this.reader = new RemoteAccessReader(deps);
    const firstMs = deps.retryMs ?? 60_000;
    this.job = deps.jobs.add({
      name: 'remote-access-off',
      schedule: { kind: 'due', next: () => deps.repository.scheduled()?.offAt },
      retry: { firstMs, maxMs: Math.max(firstMs, 15 * 60_000) },
      run: () => this.runScheduled(),
    });
  }

  /** For the composition root; the switch-off job runs once the scheduler starts. */
  static create(app: {
    readonly config: Config;
    readonly repos: Repositories;
    readonly plex: PlexClient;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly jobs: JobScheduler;
  }): RemoteAccessService {
    return new RemoteAccessService({
      plex: app.plex,
      router: app.config.router,
      repository: app.repos.remoteAccess,
      clock: app.clock,
      logger: app.logger.child({ component: 'remote-access' }),
      jobs: app.jobs,
    });
  }

  async status(signal?: AbortSignal): Promise<RemoteAccessStatus> {
    const lines: string[] = [];
    const prefs = await this.reader.readPrefs(signal);
    lines.push(this.reader.prefLine(prefs.enabled));
    lines.push(await this.reader.mappingStateLine(signal));
    const target = await this.reader.target(signal);
    const http = this.reader.newHttp();
    try {
      lines.push(...this.reader.routerLines(await this.reader.readRouter(http, target, signal), 'now'));
    } finally {
      await http.close();
    }
    lines.push(...this.reader.stillOpenLines(prefs));
    const offAt = this.deps.repository.scheduled()?.offAt;
    if (offAt !== undefined) lines.push(this.scheduleLine(offAt));
    return { enabled: prefs.enabled, offAt, lines };
  }

  turnOff(signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    return this.serialise(() => this.doTurnOff(signal));
  }

  turnOn(options: { forMs?: number }, signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    return this.serialise(() => this.doTurnOn(options, signal));
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doTurnOff(signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    const http = this.reader.newHttp();
    try {
      return await this.switchOff(http, signal);
    } finally {
      await http.close();
    }
  }

  private async switchOff(http: RouterHttp, signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    const lines: string[] = [];
    const setOk = await this.reader.setPref(false, signal);
    lines.push(
      setOk.ok
        ? `Plex: ${PREF} set to 0 (remote access off).`
        : `Plex: could not switch remote access off (${setOk.error}).`,
    );

    const target = await this.reader.target(signal);
    const before = await this.reader.readRouter(http, target, signal);
    let deleteFailures = 0;
    if (before.located.ok) {
      for (const mapping of before.plexMappings) {
        try {
          await before.located.client.deleteMapping(mapping, signal);
          lines.push(`Router: deleted mapping ${describeMapping(mapping)}.`);
        } catch (error) {
          if (signal?.aborted) throw error;
          deleteFailures++;
          const why =
            error instanceof UpnpFaultError ? `UPnP error ${error.errorCode ?? '?'}` : routerErrorText(error);
          lines.push(`Router: could not delete mapping ${describeMapping(mapping)} (${why}).`);
        }
      }
    }

    // Verify by reading both again, not by trusting the answers above.
    const prefs = await this.reader.readPrefs(signal);
    const after = before.located.ok ? await this.reader.readRouter(http, target, signal) : before;
    const prefOff = prefs.enabled === false;
    lines.push(
      prefOff
        ? `Verified: Plex reports ${PREF}=0.`
        : `Not verified: Plex reports ${PREF}=${prefs.enabled === undefined ? 'unreadable' : '1'}.`,
    );
    lines.push(...this.reader.routerLines(after, 'after'));
    lines.push(...this.reader.stillOpenLines(prefs));
    this.deps.repository.clear();
    this.job.poke();
    const routerOk = after.located.ok
      ? after.walk?.stop === 'end' && after.plexMappings.length === 0
      : after.located.status !== 'failed';
    const ok = prefOff && routerOk && deleteFailures === 0;
    this.deps.logger.info('remote access switched off', {
      ok,
      deleted: before.plexMappings.length - deleteFailures,
    });
    return { ok, lines };
  }

  private async doTurnOn(options: { forMs?: number }, signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    const lines: string[] = [];
    const now = this.deps.clock.now();
    const offAt = options.forMs !== undefined ? now + options.forMs : undefined;
    // Persist the switch-off before switching on: a crash in between must not leave it on.
    if (offAt !== undefined) this.deps.repository.schedule(offAt, now);
    else this.deps.repository.clear();
    this.job.poke();
    const set = await this.reader.setPref(true, signal);
    if (!set.ok) {
      if (offAt !== undefined) {
        this.deps.repository.clear();
        this.job.poke();
      }
      lines.push(`Plex: could not switch remote access on (${set.error}).`);
      return { ok: false, lines };
    }
    lines.push(`Plex: ${PREF} set to 1 (remote access on).`);
    const prefs = await this.reader.readPrefs(signal);
    const verified = prefs.enabled === true;
    lines.push(
      verified
        ? `Verified: Plex reports ${PREF}=1.`
        : `Not verified: Plex reports ${PREF}=${prefs.enabled ?? 'unreadable'}.`,
    );
    lines.push(await this.reader.mappingStateLine(signal));
    lines.push(
      'Plex now asks the router for a port mapping by UPnP/NAT-PMP (when allowed there); the next scan shows it.',
    );
    if (offAt !== undefined) {
      lines.push(this.scheduleLine(offAt));
    } else {
      lines.push('No automatic switch-off: it stays on until switched off.');
    }
    return { ok: verified, lines };
  }

  private async runScheduled(): Promise<JobOutcome> {
    const attempts = this.deps.repository.scheduled()?.attempts ?? 0;
    let outcome: RemoteAccessOutcome | undefined;
    let failure: string | undefined;
    try {
      outcome = await this.turnOff();
    } catch (error) {
      failure = error instanceof Error ? error.name : 'error';
    }
    // The promise kept is "Plex stops publishing": router leftovers are in the lines and the
    // log, but only an unverified preference makes the switch-off retry.
    const prefs = outcome ? await this.reader.readPrefs() : undefined;
    if (outcome && prefs?.enabled === false) {
      this.deps.logger.info('scheduled remote access switch-off done', {
        ok: outcome.ok,
        lines: outcome.lines,
      });
      return 'done';
    }
    // turnOff cleared the row; put it back so the switch-off is retried, also after a restart.
    const reason =
      failure ?? outcome?.lines.filter((l) => /could not|Not verified|remain/i.test(l)).join(' ') ?? 'failed';
    this.deps.repository.keepFailed(this.deps.clock.now(), attempts + 1, reason);
    this.deps.logger.warn('scheduled remote access switch-off failed; retrying', { reason });
    return 'retry';
  }

  private scheduleLine(offAt: number): string {
    const left = offAt - this.deps.clock.now();
    return `Switches off automatically at ${new Date(offAt).toISOString()}${left > 0 ? ` (in ${formatDuration(left)})` : ' (due now)'}.`;
  }
}
