import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlexClient } from '../../src/adapters/plex/plex-client.js';
import { openNotificationSocket, parsePlexNotification } from '../../src/adapters/plex/plex-notifications.js';
import { PlexLiveWatcher } from '../../src/exposure/plex-live-watcher.js';
import { systemClock } from '../../src/kernel/clock.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FakePlex } from '../harness/fake-plex.js';

const until = async (what: string, ok: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Plex notifications', () => {
  it('reads playing and reachability containers, and nothing else as events', () => {
    expect(
      parsePlexNotification(
        JSON.stringify({
          NotificationContainer: {
            type: 'playing',
            size: 1,
            PlaySessionStateNotification: [{ sessionKey: '7', state: 'playing' }],
          },
        }),
      ),
    ).toEqual({ type: 'playing', sessionKeys: ['7'], states: ['playing'] });
    expect(
      parsePlexNotification(
        JSON.stringify({
          NotificationContainer: {
            type: 'reachability',
            ReachabilityNotification: [{ reachability: false }],
          },
        }),
      ),
    ).toEqual({ type: 'reachability', reachable: false });
    expect(parsePlexNotification(JSON.stringify({ NotificationContainer: { type: 'activity' } }))).toEqual({
      type: 'other',
      name: 'activity',
    });
    expect(parsePlexNotification('{"MediaContainer": {}}')).toBeUndefined();
    expect(parsePlexNotification('not json')).toBeUndefined();
  });
});

describe('PlexLiveWatcher against the fake Plex websocket', () => {
  let plex: FakePlex;
  let watcher: PlexLiveWatcher | undefined;
  let jobs: JobScheduler;
  const runs: string[][] = [];
  beforeEach(async () => {
    plex = new FakePlex();
    await plex.start();
    runs.length = 0;
    jobs = new JobScheduler({ clock: systemClock, logger: silentLogger() });
    await jobs.start();
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
    await jobs.stop();
    await plex.stop();
  });

  const start = (withToken = true, graceMs = 400, keepaliveMs?: number) => {
    const baseUrl = plex.url;
    const client = new PlexClient({
      baseUrl,
      token: plex.state.token,
      clientIdentifier: 'cid',
      timeoutMs: 500,
    });
    watcher = new PlexLiveWatcher({
      clock: systemClock,
      logger: silentLogger(),
      jobs,
      downGraceMs: graceMs,
      backoffMs: 50,
      maxBackoffMs: 200,
      keepaliveMs,
      openSocket: withToken
        ? (handlers) =>
            openNotificationSocket({
              baseUrl,
              token: plex.state.token,
              clientIdentifier: 'cid',
              ...handlers,
            })
        : undefined,
      probe: async () => {
        await client.identity();
      },
      runChecks: async (ids) => {
        runs.push([...ids]);
        return 'done';
      },
    });
    watcher.start();
    return watcher;
  };

  it('connects with the token in the X-Plex-Token header, never in the URL', async () => {
    const w = start();
    await until('socket open', () => w.live);
    expect(plex.sockets).toHaveLength(1);
    expect(plex.sockets[0]?.token).toBe(plex.state.token);
    expect(plex.sockets[0]?.url).toBe('/:/websockets/notifications');
  });

  it('runs the stream checks on a playing notification, plex-remote-access once remote access stays down', async () => {
    const w = start(true, 300);
    await until('socket open', () => w.live);
    // The first open learns the streams already playing.
    await until('baseline sessions run', () => runs.length === 1);
    expect(runs).toEqual([['plex-sessions', 'plex-account-signals']]);
    plex.notifyPlaying('12');
    await until('sessions run', () => runs.filter((r) => r.includes('plex-sessions')).length === 2);
    plex.notifyReachability(false);
    await until('remote access run', () => runs.some((r) => r.includes('plex-remote-access')));
    expect(runs.flat()).not.toContain('plex-reachable');
  });

  it('pings the open socket, and drops one that goes silent, then reconnects', async () => {
    const w = start(true, 5_000, 50);
    await until('socket open', () => w.live);
    const first = plex.sockets[0];
    await until('pinged', () => (first?.pings ?? 0) >= 2);
    plex.silence();
    // Three silent pings (150 ms) and the watcher drops the connection itself: the server sees
    // its socket close without ever closing it, and a new one opens.
    await until('silent socket dropped', () => first !== undefined && !plex.sockets.includes(first), 3_000);
    await until('reconnected', () => w.live && plex.sockets.length === 1);
    // /identity still answered meanwhile: Plex was never reported away.
    expect(runs.flat()).not.toContain('plex-reachable');
  });

  it('a silent Plex that stops answering HTTP too is reported within the grace of its last word', async () => {
    const w = start(true, 600, 50);
    await until('socket open', () => w.live);
    await until('baseline sessions run', () => runs.length === 1);
    plex.silence();
    plex.state.mode = 'hang';
    const silentAt = Date.now();
    await until('reachable run', () => runs.some((r) => r.includes('plex-reachable')), 5_000);
    const after = Date.now() - silentAt;
    // The grace counts from Plex's last pong, which can precede silence() by a few ping
    // intervals when a loaded machine runs the timers late; well above the 150 ms at which the
    // silent socket is dropped, so a report that ignored the grace still fails here.
    expect(after).toBeGreaterThanOrEqual(400);
    expect(after).toBeLessThan(3_000);
  });

  it('runs plex-reachable once Plex is away longer than the grace, and again when it is back', async () => {
    const w = start(true, 400);
    await until('socket open', () => w.live);
    await plex.stop();
    const stoppedAt = Date.now();
    await until('reachable run', () => runs.some((r) => r.includes('plex-reachable')));
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(350);
    expect(runs.filter((r) => r.includes('plex-reachable'))).toHaveLength(1);
    await plex.start();
    await until('second reachable run', () => runs.filter((r) => r.includes('plex-reachable')).length === 2);
    await until('socket reconnected', () => w.live);
  });

  it('a blip shorter than the grace runs nothing', async () => {
    const w = start(true, 1_500);
    await until('socket open', () => w.live);
    await plex.stop();
    await plex.start();
    await until('socket reconnected', () => w.live);
    await new Promise((r) => setTimeout(r, 1_700));
    expect(runs).toEqual([['plex-sessions', 'plex-account-signals']]);
  });

  it('without a token it polls /identity (every grace/2) and still notices Plex away and back', async () => {
    start(false, 600);
    await new Promise((r) => setTimeout(r, 100));
    expect(plex.requests.some((r) => r.path === '/identity')).toBe(true);
    await plex.stop();
    await until('reachable run', () => runs.some((r) => r.includes('plex-reachable')));
    await plex.start();
    await until('second reachable run', () => runs.filter((r) => r.includes('plex-reachable')).length === 2);
    expect(plex.sockets).toEqual([]);
  });
});
