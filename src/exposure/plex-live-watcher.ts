import type { NotificationSocket, NotificationSocketOptions } from '../adapters/plex/plex-notifications.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';

/** Timers the watcher uses; tests may pass their own. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface PlexLiveWatcherDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** PLEX_DOWN_GRACE: how long Plex may be away before plex-reachable is run. */
  readonly downGraceMs: number;
  /** Opens the notification websocket (undefined: no token, polling only). */
  readonly openSocket:
    | ((
        handlers: Pick<NotificationSocketOptions, 'onOpen' | 'onNotification' | 'onClose'>,
      ) => NotificationSocket)
    | undefined;
  /** `GET /identity` (no token needed): resolves when Plex answers, rejects otherwise. */
  readonly probe: () => Promise<void>;
  /** Runs these checks now and publishes what changed (the composition root wires the runner). */
  readonly runChecks: (checkIds: readonly string[], signal: AbortSignal) => Promise<void>;
  readonly timers?: Timers;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * Notices Plex going away, remote access changing and new streams without waiting for a scan,
 * the way Tautulli does from the same websocket (Tautulli plexpy/web_socket.py: on_disconnect /
 * on_connect, a "playing" notification starts session handling at once).
 *
 * - Socket open, or `/identity` answering: Plex is up. After a reported outage, plex-reachable
 *   runs again so the finding resolves.
 * - Socket closed: reconnect with backoff, and poll `/identity` every PLEX_DOWN_GRACE / 2 while
 *   it is closed (or always, without a token). Away longer than PLEX_DOWN_GRACE: plex-reachable
 *   runs, which opens the finding (it checks for itself, so a blip never alerts).
 * - `playing`: plex-sessions and plex-account-signals run now. `reachability`:
 *   plex-remote-access runs now.
 *
 * Detects and triggers only: the checks and the runner decide, persist and alert.
 * A class with start()/stop() until the kernel has a shared Service/scheduler interface.
 */
export class PlexLiveWatcher {
  private readonly timers: Timers;
  private socket: NotificationSocket | undefined;
  private socketOpen = false;
  private stopped = true;
  private downSince: number | undefined;
  private reported = false;
  private backoff: number;
  private reconnectTimer: unknown;
  private pollTimer: unknown;
  private polling = false;
  private graceTimer: unknown;
  private readonly queued = new Set<string>();
  private baselined = false;
  private running: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(private readonly deps: PlexLiveWatcherDeps) {
    this.timers = deps.timers ?? realTimers;
    this.backoff = deps.backoffMs ?? 1_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.connect();
    this.schedulePoll(0);
  }

  /** Stops timers and the socket, then waits for a check run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const t of [this.reconnectTimer, this.pollTimer, this.graceTimer])
      if (t) this.timers.clearTimeout(t);
    this.socket?.close();
    this.socket = undefined;
    this.queued.clear();
    await this.running;
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
    if (this.stopped) return;
    if (wasOpen) this.deps.logger.warn('Plex notification socket closed', { reason });
    this.markDown();
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
        this.backoff = this.deps.backoffMs ?? 1_000;
        this.deps.logger.info('Plex notification socket open');
        this.markUp();
        // Streams already playing are learned once, so the next `playing` from a new address
        // is new against them (both stream checks learn quietly on their first run).
        if (!this.baselined) {
          this.baselined = true;
          this.triggerStreamChecks();
        }
      },
      onNotification: (n) => {
        if (n.type === 'playing') this.triggerStreamChecks();
        else if (n.type === 'reachability') this.trigger('plex-remote-access');
      },
      onClose: (reason) => this.closed(reason),
    });
  }

  /** Polls /identity while the socket is not open: the fallback that works without a token. */
  private schedulePoll(delayMs: number): void {
    if (this.stopped || this.socketOpen) {
      this.polling = false;
      return;
    }
    this.polling = true;
    if (this.pollTimer) this.timers.clearTimeout(this.pollTimer);
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
          () => this.markDown(),
        )
        .finally(() => this.schedulePoll(Math.max(500, Math.floor(this.deps.downGraceMs / 2))));
    }, delayMs);
  }

  private markUp(): void {
    this.downSince = undefined;
    if (this.graceTimer) this.timers.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (this.reported) {
      this.reported = false;
      this.trigger('plex-reachable');
    }
  }

  private markDown(): void {
    if (this.stopped || this.downSince !== undefined) return;
    this.downSince = this.deps.clock.now();
    this.graceTimer = this.timers.setTimeout(() => {
      this.graceTimer = undefined;
      if (this.stopped || this.downSince === undefined) return;
      this.reported = true;
      this.deps.logger.warn('Plex away longer than PLEX_DOWN_GRACE', {
        awayMs: this.deps.clock.now() - this.downSince,
      });
      this.trigger('plex-reachable');
    }, this.deps.downGraceMs);
  }

  /** The checks that read the streams playing now (they share one /status/sessions answer). */
  private triggerStreamChecks(): void {
    this.trigger('plex-sessions', 'plex-account-signals');
  }

  /** One run at a time; ids asked for meanwhile run together right after. */
  private trigger(...checkIds: string[]): void {
    if (this.stopped) return;
    for (const id of checkIds) this.queued.add(id);
    if (this.running) return;
    this.running = (async () => {
      while (this.queued.size > 0 && !this.stopped) {
        const ids = [...this.queued];
        this.queued.clear();
        try {
          await this.deps.runChecks(ids, this.abort.signal);
        } catch (error) {
          this.deps.logger.error('live check run failed', { checks: ids, error });
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }
}
