import type { NotificationSocket, NotificationSocketOptions } from '../adapters/plex/plex-notifications.js';
import type { Clock, TimerHandle, Timers } from '../kernel/clock.js';
import type { Job, JobOutcome } from '../kernel/job.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';

/** `busy`: a scan is running, so the checks could not start; they are tried again later. */
export type LiveRunOutcome = 'done' | 'busy';

export interface PlexLiveWatcherDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The one job scheduler: the check runs are its job `plex-live-checks` (retried with backoff
   * while a scan runs), and every wait here is on its timers, so the fake clock drives it all.
   */
  readonly jobs: JobScheduler;
  /** PLEX_DOWN_GRACE: how long Plex, or its remote access, may be away before it is reported. */
  readonly downGraceMs: number;
  /** Opens the notification websocket (undefined: no token, polling only). */
  readonly openSocket:
    | ((
        handlers: Pick<NotificationSocketOptions, 'onOpen' | 'onNotification' | 'onAlive' | 'onClose'>,
      ) => NotificationSocket)
    | undefined;
  /** `GET /identity` (no token needed): resolves when Plex answers, rejects otherwise. */
  readonly probe: () => Promise<void>;
  /** Runs these checks now and publishes what changed (the composition root wires the runner). */
  readonly runChecks: (checkIds: readonly string[], signal: AbortSignal) => Promise<LiveRunOutcome>;
  /** Keeps what a `reachability` notification said, for plex-remote-access to read. */
  readonly recordReachability?: (reachable: boolean) => void;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How often an open socket is pinged; default a quarter of the grace, at most 10 s. */
  readonly keepaliveMs?: number;
  /** How long checks wait for a running scan before they are dropped (the next scan has them). */
  readonly maxBusyMs?: number;
}

/** Tautulli pings Plex's socket every 10 s ("Websocket ping" job, plexpy/__init__.py). */
const MAX_KEEPALIVE_MS = 10_000;
/**
 * Silent for this many pings in a row: the connection is dead (a half-open TCP connection never
 * closes by itself). Tautulli gives up after WEBSOCKET_CONNECTION_ATTEMPTS missed pongs (5, each
 * waited 5 s; plexpy/web_socket.py wait_pong); 3 keeps a dead socket well inside the grace.
 */
const SILENT_PINGS = 3;

/**
 * Notices Plex going away, remote access changing and new streams without waiting for a scan,
 * the way Tautulli does from the same websocket (Tautulli plexpy/web_socket.py: on_disconnect /
 * on_connect, a "playing" notification starts session handling at once).
 *
 * - Socket open, or `/identity` answering: Plex is up. After a reported outage, plex-reachable
 *   runs again so the finding resolves.
 * - Socket closed, or silent (no pong, no message) for SILENT_PINGS pings: reconnect with
 *   backoff, and poll `/identity` every PLEX_DOWN_GRACE / 2 while it is closed (or always,
 *   without a token). Away longer than PLEX_DOWN_GRACE (counted from the last sign of life):
 *   plex-reachable runs, which opens the finding (it checks for itself, so a blip never alerts).
 * - `playing`: plex-sessions and plex-account-signals run now.
 * - `reachability`: recorded as remote access state. Unreachable for PLEX_DOWN_GRACE:
 *   plex-remote-access runs and reports it, once; reachable again: it runs and resolves it. A
 *   blip shorter than the grace runs nothing (Tautulli activity_handler.py ReachabilityHandler
 *   drops its scheduled "remote access down" the same way).
 *
 * Detects and triggers only: the checks and the runner decide, persist and alert.
 */
export class PlexLiveWatcher {
  private readonly timers: Timers;
  private readonly job: Job;
  private readonly keepaliveMs: number;
  private socket: NotificationSocket | undefined;
  private socketOpen = false;
  private stopped = true;
  private lastHeard = 0;
  private downSince: number | undefined;
  private reported = false;
  private backoff: number;
  private reconnectTimer: TimerHandle | undefined;
  private pollTimer: TimerHandle | undefined;
  private polling = false;
  private graceTimer: TimerHandle | undefined;
  private keepaliveTimer: TimerHandle | undefined;
  /** Remote access: a pending "report it" after the grace, and whether it was reported. */
  private remoteDownTimer: TimerHandle | undefined;
  private remoteReported = false;
  private remoteUp: boolean | undefined;
  private readonly queued = new Set<string>();
  private busySince: number | undefined;
  private baselined = false;

  constructor(private readonly deps: PlexLiveWatcherDeps) {
    this.timers = deps.jobs.timers;
    this.backoff = deps.backoffMs ?? 1_000;
    this.keepaliveMs =
      deps.keepaliveMs ?? Math.max(250, Math.min(MAX_KEEPALIVE_MS, Math.floor(deps.downGraceMs / 4)));
    const firstMs = Math.min(1_000, this.keepaliveMs);
    this.job = deps.jobs.add({
      name: 'plex-live-checks',
      schedule: { kind: 'on-demand' },
      retry: { firstMs, maxMs: Math.max(firstMs, 30_000) },
      run: (signal) => this.runQueued(signal),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.schedulePoll(0);
  }

  /** Stops timers and the socket, then waits for a check run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [
      this.reconnectTimer,
      this.pollTimer,
      this.graceTimer,
      this.keepaliveTimer,
      this.remoteDownTimer,
    ])
      if (t !== undefined) this.timers.clearTimeout(t);
    this.socket?.close();
    this.socket = undefined;
    this.queued.clear();
    await this.job.stop();
  }

  /** True while the notification socket is open (for /status and tests). */
  get live(): boolean {
    return this.socketOpen;
  }

  private connect(): void {
    if (this.stopped || !this.deps.openSocket) return;
    try {
      this.open(this.deps.openSocket);
    } catch (error) {
      // A socket that cannot even be created is one more failed attempt, not the end of retrying.
      this.deps.logger.warn('Plex notification socket could not be opened', { error });
      this.closed('not opened');
    }
  }

  private closed(reason: string): void {
    const wasOpen = this.socketOpen;
    this.socketOpen = false;
    this.socket = undefined;
    if (this.keepaliveTimer !== undefined) this.timers.clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    if (this.stopped) return;
    if (wasOpen) this.deps.logger.warn('Plex notification socket closed', { reason });
    // A silent socket died some time ago: the grace counts from the last thing Plex said.
    this.markDown(reason === 'silent' ? this.lastHeard : this.deps.clock.now());
    // Start polling unless it already runs: a reconnect failing every second must not turn
    // into a probe every second.
    if (!this.polling) this.schedulePoll(0);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.deps.maxBackoffMs ?? 60_000);
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  private open(openSocket: NonNullable<PlexLiveWatcherDeps['openSocket']>): void {
    this.socket = openSocket({
      onOpen: () => {
        this.socketOpen = true;
        this.lastHeard = this.deps.clock.now();
        this.backoff = this.deps.backoffMs ?? 1_000;
        this.deps.logger.info('Plex notification socket open');
        this.markUp();
        this.scheduleKeepalive();
        // Streams already playing are learned once, so the next `playing` from a new address
        // is new against them (both stream checks learn quietly on their first run).
        if (!this.baselined) {
          this.baselined = true;
          this.triggerStreamChecks();
        }
      },
      onAlive: () => {
        this.lastHeard = this.deps.clock.now();
      },
      onNotification: (n) => {
        if (n.type === 'playing') this.triggerStreamChecks();
        else if (n.type === 'reachability') this.reachability(n.reachable);
      },
      onClose: (reason) => this.closed(reason),
    });
  }

  /** Pings the open socket; one that stays silent is dropped and counts as Plex going away. */
  private scheduleKeepalive(): void {
    this.keepaliveTimer = this.timers.setTimeout(() => {
      this.keepaliveTimer = undefined;
      const socket = this.socket;
      if (this.stopped || !this.socketOpen || !socket) return;
      const silentMs = this.deps.clock.now() - this.lastHeard;
      if (silentMs >= SILENT_PINGS * this.keepaliveMs) {
        this.deps.logger.warn('Plex notification socket silent: no pong or message, reconnecting', {
          silentMs,
        });
        socket.terminate('silent');
        return;
      }
      socket.ping();
      this.scheduleKeepalive();
    }, this.keepaliveMs);
  }

  private reachability(reachable: boolean | undefined): void {
    // A value Plex did not spell as we know: let the check look for itself.
    if (reachable === undefined) {
      this.trigger('plex-remote-access');
      return;
    }
    this.deps.recordReachability?.(reachable);
    const wasUp = this.remoteUp;
    this.remoteUp = reachable;
    if (!reachable) {
      // Already counting down or reported: repeats say nothing new.
      if (this.remoteDownTimer !== undefined || this.remoteReported) return;
      this.remoteDownTimer = this.timers.setTimeout(() => {
        this.remoteDownTimer = undefined;
        if (this.stopped || this.remoteUp !== false) return;
        this.remoteReported = true;
        this.trigger('plex-remote-access');
      }, this.deps.downGraceMs);
      return;
    }
    if (this.remoteDownTimer !== undefined) {
      // Back within the grace: a blip, nothing to report.
      this.timers.clearTimeout(this.remoteDownTimer);
      this.remoteDownTimer = undefined;
      return;
    }
    // Back after a report, or the first word since start (a finding from before may be open).
    if (this.remoteReported || wasUp === undefined) {
      this.remoteReported = false;
      this.trigger('plex-remote-access');
    }
  }

  /** Polls /identity while the socket is not open: the fallback that works without a token. */
  private schedulePoll(delayMs: number): void {
    if (this.stopped || this.socketOpen) {
      this.polling = false;
      return;
    }
    this.polling = true;
    if (this.pollTimer !== undefined) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = undefined;
      if (this.stopped || this.socketOpen) {
        this.polling = false;
        return;
      }
      this.deps
        .probe()
        .then(
          () => this.markUp(),
          () => this.markDown(this.deps.clock.now()),
        )
        .finally(() => this.schedulePoll(Math.max(500, Math.floor(this.deps.downGraceMs / 2))));
    }, delayMs);
  }

  private markUp(): void {
    this.downSince = undefined;
    if (this.graceTimer !== undefined) this.timers.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (this.reported) {
      this.reported = false;
      this.trigger('plex-reachable');
    }
  }

  private markDown(since: number): void {
    if (this.stopped || this.downSince !== undefined) return;
    this.downSince = since;
    const delay = Math.max(0, since + this.deps.downGraceMs - this.deps.clock.now());
    this.graceTimer = this.timers.setTimeout(() => {
      this.graceTimer = undefined;
      if (this.stopped || this.downSince === undefined) return;
      this.reported = true;
      this.deps.logger.warn('Plex away longer than PLEX_DOWN_GRACE', {
        awayMs: this.deps.clock.now() - this.downSince,
      });
      this.trigger('plex-reachable');
    }, delay);
  }

  /** The checks that read the streams playing now (they share one /status/sessions answer). */
  private triggerStreamChecks(): void {
    this.trigger('plex-sessions', 'plex-account-signals');
  }

  /** Queues checks; the job runs what is queued, one run at a time, ids asked meanwhile together. */
  private trigger(...checkIds: string[]): void {
    if (this.stopped) return;
    for (const id of checkIds) this.queued.add(id);
    // A retry is armed while a scan runs: it takes this id along, no earlier attempt needed.
    if (this.busySince !== undefined) return;
    void this.job.runNow().then(() => {
      // Queued just as the last run was ending: run again, now.
      if (this.queued.size > 0 && !this.stopped && this.busySince === undefined) void this.job.runNow();
    });
  }

  private async runQueued(signal: AbortSignal): Promise<JobOutcome> {
    while (this.queued.size > 0 && !signal.aborted) {
      const ids = [...this.queued];
      this.queued.clear();
      let outcome: LiveRunOutcome;
      try {
        outcome = await this.deps.runChecks(ids, signal);
      } catch (error) {
        this.deps.logger.error('live check run failed', { checks: ids, error });
        continue;
      }
      if (outcome === 'done') {
        this.busySince = undefined;
        continue;
      }
      const now = this.deps.clock.now();
      this.busySince ??= now;
      if (now - this.busySince > (this.deps.maxBusyMs ?? 10 * 60_000)) {
        // The scan taking this long runs every check anyway; its digest tells what changed.
        this.deps.logger.warn('live checks dropped: a scan kept running', { checks: ids });
        this.busySince = undefined;
        return 'done';
      }
      for (const id of ids) this.queued.add(id);
      return 'retry';
    }
    return 'done';
  }
}
