/**
 * Switches Plex remote access off and on (for a while), and says what stays open.
 *
 * Off means: the Plex preference PublishServerOnPlexOnlineKey=0, then every UPnP mapping on
 * the router that forwards to Plex deleted, then both read back. Plex turning its flag off does
 * not remove a mapping it (or anything else) made, and the relay and customConnections keep
 * working regardless — the outcome lines say so instead of claiming "closed".
 *
 * "On for N" stores the switch-off time in the database before switching on, so a crash or
 * restart cannot leave remote access on forever: start() runs a switch-off that fell due while
 * the bot was down.
 */

import { isObject, type PlexClient, PlexError, parseBool } from '../adapters/plex/plex-client.js';
import type { MappingWalk, PortMapping } from '../adapters/router/igd-client.js';
import {
  type LocateResult,
  locateIgd,
  type RouterProbeOverrides,
  routerErrorText,
} from '../adapters/router/igd-locator.js';
import { isPlexMapping, type PlexTarget, readPlexTarget } from '../adapters/router/plex-target.js';
import { RouterHttp } from '../adapters/router/soap-client.js';
import { UpnpFaultError } from '../adapters/router/upnp-errors.js';
import type { Database } from '../adapters/sqlite/database.js';
import { RemoteAccessRepository } from '../adapters/sqlite/remote-access-repository.js';
import type { Config } from '../config/index.js';
import type { RouterConfig } from '../config/router.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import { logError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { RemoteAccessOutcome, RemoteAccessPort, RemoteAccessStatus } from './remote-access-port.js';

export interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerPort = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RemoteAccessServiceDeps {
  readonly plex: PlexClient;
  readonly router: RouterConfig;
  readonly repository: RemoteAccessRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long to wait before retrying a scheduled switch-off that failed. Default 60 s. */
  readonly retryMs?: number;
  readonly timers?: TimerPort;
  /** Test seam for SSDP/NAT-PMP targets; never set in production. */
  readonly routerOverrides?: RouterProbeOverrides;
}

const PREF = 'PublishServerOnPlexOnlineKey';
/** setTimeout's limit; longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

interface PlexPrefs {
  readonly enabled: boolean | undefined;
  readonly relay: boolean | undefined;
  readonly customConnections: string;
  readonly manualPort: number | undefined;
}

interface RouterView {
  readonly located: LocateResult;
  readonly walk: MappingWalk | undefined;
  readonly plexMappings: readonly PortMapping[];
  readonly error: string | undefined;
}

export class RemoteAccessService implements RemoteAccessPort {
  private readonly timers: TimerPort;
  private readonly retryMs: number;
  private timer: unknown;
  private stopped = true;
  /** A timer-driven switch-off in progress: stop() waits for it before the database closes. */
  private inFlight: Promise<void> | undefined;
  /** Serialises switches: a timed switch-off and a command must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RemoteAccessServiceDeps) {
    this.timers = deps.timers ?? realTimers;
    this.retryMs = deps.retryMs ?? 60_000;
  }

  /** For the composition root: `RemoteAccessService.create(app)`, then `await service.start()`. */
  static create(app: {
    readonly config: Config;
    readonly db: Database;
    readonly plex: PlexClient;
    readonly clock: Clock;
    readonly logger: Logger;
  }): RemoteAccessService {
    return new RemoteAccessService({
      plex: app.plex,
      router: app.config.router,
      repository: new RemoteAccessRepository(app.db),
      clock: app.clock,
      logger: app.logger.child({ component: 'remote-access' }),
    });
  }

  /** Runs a switch-off that fell due while the bot was down and arms the timer for a pending one. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.armOrRun();
  }

  /** Stops the timer and waits for a switch-off already under way, so it is recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  async status(signal?: AbortSignal): Promise<RemoteAccessStatus> {
    const lines: string[] = [];
    const prefs = await this.readPrefs(signal);
    lines.push(this.prefLine(prefs.enabled));
    lines.push(await this.mappingStateLine(signal));
    const target = await this.target(signal);
    const http = this.newHttp();
    try {
      lines.push(...this.routerLines(await this.readRouter(http, target, signal), 'now'));
    } finally {
      await http.close();
    }
    lines.push(...this.stillOpenLines(prefs));
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
    const http = this.newHttp();
    try {
      return await this.switchOff(http, signal);
    } finally {
      await http.close();
    }
  }

  private async switchOff(http: RouterHttp, signal?: AbortSignal): Promise<RemoteAccessOutcome> {
    const lines: string[] = [];
    const setOk = await this.setPref(false, signal);
    lines.push(
      setOk.ok
        ? `Plex: ${PREF} set to 0 (remote access off).`
        : `Plex: could not switch remote access off (${setOk.error}).`,
    );

    const target = await this.target(signal);
    const before = await this.readRouter(http, target, signal);
    let deleteFailures = 0;
    if (before.located.ok) {
      for (const mapping of before.plexMappings) {
        try {
          await before.located.client.deleteMapping(mapping, signal);
          lines.push(`Router: deleted mapping ${describe(mapping)}.`);
        } catch (error) {
          if (signal?.aborted) throw error;
          deleteFailures++;
          const why =
            error instanceof UpnpFaultError ? `UPnP error ${error.errorCode ?? '?'}` : routerErrorText(error);
          lines.push(`Router: could not delete mapping ${describe(mapping)} (${why}).`);
        }
      }
    }

    // Verify by reading both again, not by trusting the answers above.
    const prefs = await this.readPrefs(signal);
    const after = before.located.ok ? await this.readRouter(http, target, signal) : before;
    const prefOff = prefs.enabled === false;
    lines.push(
      prefOff
        ? `Verified: Plex reports ${PREF}=0.`
        : `Not verified: Plex reports ${PREF}=${prefs.enabled === undefined ? 'unreadable' : '1'}.`,
    );
    lines.push(...this.routerLines(after, 'after'));
    lines.push(...this.stillOpenLines(prefs));
    this.deps.repository.clear();
    this.cancelTimer();
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
    const set = await this.setPref(true, signal);
    if (!set.ok) {
      if (offAt !== undefined) this.deps.repository.clear();
      lines.push(`Plex: could not switch remote access on (${set.error}).`);
      return { ok: false, lines };
    }
    lines.push(`Plex: ${PREF} set to 1 (remote access on).`);
    const prefs = await this.readPrefs(signal);
    const verified = prefs.enabled === true;
    lines.push(
      verified
        ? `Verified: Plex reports ${PREF}=1.`
        : `Not verified: Plex reports ${PREF}=${prefs.enabled ?? 'unreadable'}.`,
    );
    lines.push(await this.mappingStateLine(signal));
    lines.push(
      'Plex now asks the router for a port mapping by UPnP/NAT-PMP (when allowed there); the next scan shows it.',
    );
    if (offAt !== undefined) {
      lines.push(this.scheduleLine(offAt));
      this.arm(offAt);
    } else {
      this.cancelTimer();
      lines.push('No automatic switch-off: it stays on until switched off.');
    }
    return { ok: verified, lines };
  }

  private async armOrRun(): Promise<void> {
    if (this.stopped) return;
    const pending = this.deps.repository.scheduled();
    if (!pending) return;
    if (pending.offAt <= this.deps.clock.now()) {
      await this.runScheduled();
      return;
    }
    this.arm(pending.offAt);
  }

  private arm(offAt: number): void {
    this.cancelTimer();
    if (this.stopped) return;
    const delay = Math.min(Math.max(0, offAt - this.deps.clock.now()), MAX_TIMER_MS);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.runFromTimer();
    }, delay);
  }

  /** Nothing run by a timer may end in an unhandled rejection: failures are logged, and retried. */
  private runFromTimer(): void {
    const run = this.armOrRun()
      .catch((error: unknown) => {
        logError(error, this.deps.logger, { during: 'in the scheduled remote access switch-off' });
      })
      .finally(() => {
        if (this.inFlight === run) this.inFlight = undefined;
      });
    this.inFlight = run;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async runScheduled(): Promise<void> {
    let outcome: RemoteAccessOutcome | undefined;
    let failure: string | undefined;
    try {
      outcome = await this.turnOff();
    } catch (error) {
      failure = error instanceof Error ? error.name : 'error';
    }
    // The promise kept is "Plex stops publishing": router leftovers are in the lines and the
    // log, but only an unverified preference makes the switch-off retry.
    const prefs = outcome ? await this.readPrefs() : undefined;
    if (outcome && prefs?.enabled === false) {
      this.deps.logger.info('scheduled remote access switch-off done', {
        ok: outcome.ok,
        lines: outcome.lines,
      });
      return;
    }
    // turnOff cleared the row; put it back so the switch-off is retried, also after a restart.
    const reason =
      failure ?? outcome?.lines.filter((l) => /could not|Not verified|remain/i.test(l)).join(' ') ?? 'failed';
    const now = this.deps.clock.now();
    this.deps.repository.schedule(now, now);
    this.deps.repository.recordFailure(reason);
    this.deps.logger.warn('scheduled remote access switch-off failed; retrying', {
      reason,
      retryMs: this.retryMs,
    });
    if (!this.stopped) {
      this.cancelTimer();
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.runFromTimer();
      }, this.retryMs);
    }
  }

  private async setPref(
    on: boolean,
    signal?: AbortSignal,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.deps.plex.put(`/:/prefs?${PREF}=${on ? 1 : 0}`, { signal });
      return { ok: true };
    } catch (error) {
      if (signal?.aborted) throw error;
      // Only Plex's own failures are an answer; anything else goes on to the boundary.
      if (!(error instanceof PlexError)) throw error;
      return { ok: false, error: error.message };
    }
  }

  private async readPrefs(signal?: AbortSignal): Promise<PlexPrefs> {
    try {
      const container = await this.deps.plex.get('/:/prefs', { signal });
      const settings = Array.isArray(container.Setting) ? container.Setting.filter(isObject) : [];
      const value = (id: string) => settings.find((s) => s.id === id)?.value;
      const manual = parseBool(value('ManualPortMappingMode'));
      const port = Number(value('ManualPortMappingPort'));
      const custom = value('customConnections');
      return {
        enabled: parseBool(value(PREF)),
        relay: parseBool(value('RelayEnabled')),
        customConnections: typeof custom === 'string' ? custom.trim() : '',
        manualPort: manual && Number.isInteger(port) ? port : undefined,
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { enabled: undefined, relay: undefined, customConnections: '', manualPort: undefined };
    }
  }

  private async mappingStateLine(signal?: AbortSignal): Promise<string> {
    try {
      const account = await this.deps.plex.get('/myplex/account', { signal });
      const state = typeof account.mappingState === 'string' ? account.mappingState : 'unknown';
      const address =
        typeof account.publicAddress === 'string' && account.publicAddress
          ? account.publicAddress
          : undefined;
      const port = Number(account.publicPort) > 0 ? Number(account.publicPort) : undefined;
      const where = address ? ` (public ${address}${port ? `:${port}` : ''})` : '';
      const error =
        typeof account.mappingError === 'string' && account.mappingError
          ? `, error ${account.mappingError}`
          : '';
      return `Plex mapping state: ${state}${where}${error}.`;
    } catch (error) {
      if (signal?.aborted) throw error;
      return 'Plex mapping state: unreadable.';
    }
  }

  private async target(signal?: AbortSignal): Promise<PlexTarget> {
    return readPlexTarget(this.deps.plex, signal);
  }

  private newHttp(): RouterHttp {
    return new RouterHttp({ timeoutMs: this.deps.router.timeoutMs });
  }

  private async readRouter(http: RouterHttp, target: PlexTarget, signal?: AbortSignal): Promise<RouterView> {
    const located = await locateIgd(this.deps.router, http, signal, this.deps.routerOverrides);
    if (!located.ok) return { located, walk: undefined, plexMappings: [], error: located.reason };
    const walk = await located.client.readMappings(
      { maxMappings: this.deps.router.maxMappings, timeBoundMs: this.deps.router.walkTimeoutMs },
      signal,
    );
    return {
      located,
      walk,
      plexMappings: walk.mappings.filter((m) => isPlexMapping(m, target)),
      error: walk.error,
    };
  }

  private routerLines(view: RouterView, when: 'now' | 'after'): string[] {
    if (!view.located.ok) {
      return view.located.status === 'failed'
        ? [`Router: UPnP answered but could not be read (${view.error}); mappings not verified.`]
        : [`Router: no UPnP mappings checked (${view.error}). Check the router for manual forwards to Plex.`];
    }
    const partial = view.walk && view.walk.stop !== 'end' ? ' (mapping table read only in part)' : '';
    if (view.plexMappings.length === 0) {
      return [
        when === 'after'
          ? `Verified: no UPnP mapping to Plex remains on the router${partial}.`
          : `Router: no UPnP mapping to Plex${partial}.`,
      ];
    }
    const head = when === 'after' ? 'Still open on the router' : 'Router mappings to Plex';
    return [`${head}${partial}: ${view.plexMappings.map(describe).join('; ')}.`];
  }

  private stillOpenLines(prefs: PlexPrefs): string[] {
    const lines: string[] = [];
    if (prefs.relay !== false) {
      lines.push(
        prefs.relay === true
          ? 'Still open: Plex Relay is on (RelayEnabled=1): the server stays reachable through plex.tv even with ports closed.'
          : 'Unknown: Plex Relay state (RelayEnabled) could not be read.',
      );
    }
    if (prefs.customConnections !== '') {
      lines.push(`Still open: customConnections publishes ${prefs.customConnections} to plex.tv clients.`);
    }
    if (prefs.manualPort !== undefined) {
      lines.push(
        `Check: manual port mapping is configured (port ${prefs.manualPort}): a forward made by hand on the router is not removed by UPnP.`,
      );
    }
    return lines;
  }

  private prefLine(enabled: boolean | undefined): string {
    if (enabled === undefined) return `Plex remote access: unknown (${PREF} could not be read).`;
    return `Plex remote access: ${enabled ? 'on' : 'off'} (${PREF}=${enabled ? 1 : 0}).`;
  }

  private scheduleLine(offAt: number): string {
    const left = offAt - this.deps.clock.now();
    return `Switches off automatically at ${new Date(offAt).toISOString()}${left > 0 ? ` (in ${formatDuration(left)})` : ' (due now)'}.`;
  }
}

function describe(m: PortMapping): string {
  const description = m.description ? ` "${m.description.slice(0, 60)}"` : '';
  return `${m.protocol} ${m.externalPort} → ${m.internalClient || '?'}:${m.internalPort}${description}`;
}
