import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationSocketOptions } from '../../src/adapters/plex/plex-notifications.js';
import { type LiveRunOutcome, PlexLiveWatcher } from '../../src/exposure/plex-live-watcher.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { ManualClock } from '../harness/manual-clock.js';

type Handlers = Pick<NotificationSocketOptions, 'onOpen' | 'onNotification' | 'onAlive' | 'onClose'>;

/** Lets promise callbacks (the job's run, the runner's answer) settle between clock moves. */
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
};

/**
 * The watcher on the fake clock: every wait (grace, keepalive, the job's retries) is on the
 * scheduler's timers, so nothing here waits on real time. The socket is a stand-in that hands
 * the test its handlers; the wire protocol is tested against the fake Plex in
 * plex-live-watcher.test.ts.
 */
describe('PlexLiveWatcher on the fake clock', () => {
  let watcher: PlexLiveWatcher | undefined;
  let jobs: JobScheduler | undefined;
  afterEach(async () => {
    await watcher?.stop();
    await jobs?.stop();
    watcher = undefined;
  });

  const setup = async (runChecks: (ids: readonly string[]) => Promise<LiveRunOutcome>) => {
    const clock = new ManualClock();
    jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
    await jobs.start();
    let handlers: Handlers | undefined;
    // The stand-in answers each ping at once, as Plex does, until the test mutes it.
    const sent = { pings: 0, terminated: [] as string[], mute: false };
    const recorded: boolean[] = [];
    watcher = new PlexLiveWatcher({
      clock,
      logger: silentLogger(),
      jobs,
      downGraceMs: 60_000,
      openSocket: (h) => {
        handlers = h;
        return {
          close: () => undefined,
          ping: () => {
            sent.pings += 1;
            if (!sent.mute) h.onAlive?.();
          },
          terminate: (reason) => {
            sent.terminated.push(reason);
            h.onClose(reason);
          },
        };
      },
      probe: async () => undefined,
      runChecks: (ids) => runChecks(ids),
      recordReachability: (reachable) => {
        recorded.push(reachable);
      },
    });
    watcher.start();
    if (!handlers) throw new Error('no socket opened');
    const socket: Handlers = handlers;
    socket.onOpen();
    await settle();
    return { clock, socket, sent, recorded };
  };

  const reachability = (reachable: boolean) => ({ type: 'reachability', reachable }) as const;

  it('remote access down longer than the grace runs plex-remote-access once; back up runs it again', async () => {
    const runs: string[][] = [];
    const { clock, socket, recorded } = await setup(async (ids) => {
      runs.push([...ids]);
      return 'done';
    });
    runs.length = 0; // the baseline run of the stream checks

    socket.onNotification(reachability(false));
    clock.advance(59_000);
    await settle();
    expect(runs).toEqual([]);
    // Repeats while counting down or after the report say nothing new.
    socket.onNotification(reachability(false));
    clock.advance(1_000);
    await settle();
    expect(runs).toEqual([['plex-remote-access']]);
    socket.onNotification(reachability(false));
    clock.advance(120_000);
    await settle();
    expect(runs).toEqual([['plex-remote-access']]);

    socket.onNotification(reachability(true));
    await settle();
    expect(runs).toEqual([['plex-remote-access'], ['plex-remote-access']]);
    expect(recorded).toEqual([false, false, false, true]);
  });

  it('remote access back within the grace is a blip: nothing runs', async () => {
    const runs: string[][] = [];
    const { clock, socket } = await setup(async (ids) => {
      runs.push([...ids]);
      return 'done';
    });
    // The first word since start is "up": checked once (a finding from before may be open).
    socket.onNotification(reachability(true));
    await settle();
    runs.length = 0;
    for (let i = 0; i < 5; i += 1) {
      socket.onNotification(reachability(false));
      clock.advance(30_000);
      socket.onNotification(reachability(true));
      clock.advance(30_000);
      await settle();
    }
    clock.advance(10 * 60_000);
    await settle();
    expect(runs).toEqual([]);
  });

  it('checks asked for during a scan wait on the job scheduler, then run together', async () => {
    const answers: LiveRunOutcome[] = ['done', 'busy', 'busy', 'done'];
    const runs: string[][] = [];
    const { clock, socket } = await setup(async (ids) => {
      runs.push([...ids]);
      return answers.shift() ?? 'done';
    });
    expect(runs).toEqual([['plex-sessions', 'plex-account-signals']]);
    socket.onNotification({ type: 'playing', sessionKeys: ['1'], states: ['playing'] });
    await settle();
    expect(runs).toHaveLength(2);
    // Busy: asked again after the backoff (1 s), not before; a check asked meanwhile joins.
    socket.onNotification(reachability(true));
    await settle();
    expect(runs).toHaveLength(2);
    clock.advance(999);
    await settle();
    expect(runs).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(runs[2]).toEqual(['plex-sessions', 'plex-account-signals', 'plex-remote-access']);
    // Busy again: the backoff doubles.
    clock.advance(1_999);
    await settle();
    expect(runs).toHaveLength(3);
    clock.advance(1);
    await settle();
    expect(runs).toHaveLength(4);
    clock.advance(60 * 60_000);
    await settle();
    expect(runs).toHaveLength(4);
  });

  it('gives up on checks a scan keeps blocking for longer than the wait bound', async () => {
    const runs: string[][] = [];
    const { clock, socket } = await setup(async (ids) => {
      runs.push([...ids]);
      return runs.length === 1 ? 'done' : 'busy';
    });
    socket.onNotification({ type: 'playing', sessionKeys: ['1'], states: ['playing'] });
    await settle();
    for (let i = 0; i < 40; i += 1) {
      clock.advance(30_000);
      await settle();
    }
    const tried = runs.length;
    // Ten minutes of retries (1, 2, 4 … 30 s apart), then dropped: no retry after that.
    expect(tried).toBeGreaterThan(10);
    expect(tried).toBeLessThan(30);
    clock.advance(60 * 60_000);
    await settle();
    expect(runs).toHaveLength(tried);
  });

  it('pings every keepalive and drops a socket silent for three of them', async () => {
    const { clock, sent } = await setup(async () => 'done');
    // Grace 60 s: a ping every 10 s; answered ones keep the socket.
    clock.advance(60_000);
    expect(sent.pings).toBe(6);
    expect(sent.terminated).toEqual([]);
    sent.mute = true;
    clock.advance(10_000);
    expect(sent.pings).toBe(7);
    clock.advance(10_000);
    expect(sent.pings).toBe(8);
    expect(sent.terminated).toEqual([]);
    // Last heard at 60 s: silent from there for 30 s, dropped at the 90 s keepalive.
    clock.advance(10_000);
    expect(sent.terminated).toEqual(['silent']);
    expect(watcher?.live).toBe(false);
  });
});
