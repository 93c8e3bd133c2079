import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteAccessService } from '../../src/actions/remote-access-service.js';
import { PlexClient } from '../../src/adapters/plex/plex-client.js';
import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import { createRepositories } from '../../src/adapters/sqlite/index.js';
import { RemoteAccessRepository } from '../../src/adapters/sqlite/remote-access-repository.js';
import { type Clock, systemClock } from '../../src/kernel/clock.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FakeIgd } from '../harness/fake-igd.js';
import { FakePlex } from '../harness/fake-plex.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir, testConfig, testEnv } from '../harness/test-env.js';

const PLEX_HOST = '192.168.1.10';

/** The real database with every migration, like the bot opens it. */
function openDb(path: string): Database {
  return openDatabase(path);
}

describe('RemoteAccessService (fake Plex, fake IGD on loopback)', () => {
  let dir: ReturnType<typeof tempDir>;
  let plex: FakePlex;
  let igd: FakeIgd;
  const schedulers: JobScheduler[] = [];
  const dbs: Database[] = [];

  beforeEach(async () => {
    dir = tempDir();
    plex = new FakePlex();
    await plex.start();
    plex.setPref('PublishServerOnPlexOnlineKey', true);
    plex.setPref('RelayEnabled', true);
    plex.setPref('customConnections', 'http://plex.example.net:32400');
    igd = await new FakeIgd({
      mappings: [
        {
          externalPort: 32400,
          protocol: 'TCP',
          internalPort: 32400,
          internalClient: PLEX_HOST,
          description: 'Plex Media Server',
          lease: 3600,
        },
        {
          externalPort: 40500,
          protocol: 'TCP',
          internalPort: 32400,
          internalClient: PLEX_HOST,
          description: 'Plex (alt)',
          lease: 0,
        },
        {
          externalPort: 51413,
          protocol: 'TCP',
          internalPort: 51413,
          internalClient: '192.168.1.50',
          description: 'Transmission',
          lease: 0,
        },
        {
          externalPort: 32400,
          protocol: 'UDP',
          internalPort: 32400,
          internalClient: PLEX_HOST,
          description: 'not Plex',
          lease: 0,
        },
      ],
    }).start();
  });
  afterEach(async () => {
    for (const jobs of schedulers.splice(0)) await jobs.stop();
    for (const db of dbs.splice(0)) db.close();
    await igd.stop();
    await plex.stop();
    dir.remove();
  });

  const make = (clock: Clock = new ManualClock(), env: Record<string, string> = {}, retryMs?: number) => {
    const config = testConfig(
      testEnv({ databasePath: ':memory:', plexUrl: plex.url, ROUTER_UPNP_URL: igd.descriptionUrl, ...env }),
    );
    const db = openDb(`${dir.path}/db.sqlite`);
    dbs.push(db);
    const repository = new RemoteAccessRepository(db);
    const client = new PlexClient({
      baseUrl: config.plex.url,
      token: config.plex.token,
      clientIdentifier: '00000000-0000-4000-8000-000000000000',
      timeoutMs: 1_000,
    });
    // The fake clock is also the timers; a real-time clock gets Node's.
    const jobs = new JobScheduler({
      clock,
      timers: clock instanceof ManualClock ? clock : undefined,
      logger: silentLogger(),
    });
    schedulers.push(jobs);
    const service = new RemoteAccessService({
      plex: client,
      router: config.router,
      repository,
      clock,
      logger: silentLogger(),
      jobs,
      retryMs,
    });
    return { service, repository, clock, jobs };
  };

  it('turnOff: preference off, every mapping to Plex deleted, verified, and what stays open is said', async () => {
    const { service } = make();
    const outcome = await service.turnOff();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(false);
    expect(igd.mappings.map((m) => `${m.protocol}:${m.externalPort}`)).toEqual(['TCP:51413', 'UDP:32400']);
    expect(outcome.ok).toBe(true);
    expect(outcome.lines).toEqual(
      expect.arrayContaining([
        'Plex: PublishServerOnPlexOnlineKey set to 0 (remote access off).',
        `Router: deleted mapping TCP 32400 → ${PLEX_HOST}:32400 "Plex Media Server".`,
        `Router: deleted mapping TCP 40500 → ${PLEX_HOST}:32400 "Plex (alt)".`,
        'Verified: Plex reports PublishServerOnPlexOnlineKey=0.',
        'Verified: no UPnP mapping to Plex remains on the router.',
        expect.stringContaining('Still open: Plex Relay is on'),
        'Still open: customConnections publishes http://plex.example.net:32400 to plex.tv clients.',
      ]),
    );
    expect(
      plex.requests.some((r) => r.method === 'PUT' && r.query.PublishServerOnPlexOnlineKey === '0'),
    ).toBe(true);
  });

  it('turnOff is not ok when a mapping cannot be deleted, and says which', async () => {
    const { service } = make(new ManualClock(), { ROUTER_TIMEOUT: '300ms' });
    igd.options.hang = new Set(['DeletePortMapping']);
    const outcome = await service.turnOff();
    expect(outcome.ok).toBe(false);
    expect(outcome.lines.join('\n')).toMatch(/could not delete mapping TCP 32400/);
    expect(outcome.lines.join('\n')).toMatch(/Still open on the router: TCP 32400/);
  });

  it('turnOff with Plex down still cleans the router and reports the preference as not verified', async () => {
    const { service } = make();
    plex.state.mode = 'html';
    const outcome = await service.turnOff();
    expect(outcome.ok).toBe(false);
    expect(outcome.lines[0]).toMatch(/could not switch remote access off/);
    expect(outcome.lines).toContain('Not verified: Plex reports PublishServerOnPlexOnlineKey=unreadable.');
  });

  it('turnOff without a router to ask says the mappings were not checked', async () => {
    const { service } = make(new ManualClock(), { ROUTER_UPNP_URL: '' });
    const outcome = await service.turnOff();
    expect(outcome.ok).toBe(true);
    expect(outcome.lines.join('\n')).toMatch(/no UPnP mappings checked \(ROUTER_DISCOVERY=off/);
  });

  it('on for 1 hour switches off by itself after a restart (fake clock)', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const first = make(clock);
    await first.jobs.start();
    const on = await first.service.turnOn({ forMs: 3_600_000 });
    expect(on.ok).toBe(true);
    expect(on.lines).toContain('Switches off automatically at 2026-01-01T13:00:00.000Z (in 1h).');
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(true);
    expect((await first.service.status()).offAt).toBe(Date.UTC(2026, 0, 1, 13));

    // The bot stops (crash or restart) and comes back after the deadline.
    await first.jobs.stop();
    clock.advance(2 * 3_600_000);
    const second = make(clock);
    expect(second.repository.scheduled()?.offAt).toBe(Date.UTC(2026, 0, 1, 13));
    await second.jobs.start();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(false);
    expect(igd.mappings.some((m) => m.protocol === 'TCP' && m.internalPort === 32400)).toBe(false);
    expect(second.repository.scheduled()).toBeUndefined();
  });

  it('a restart in the middle of a scheduled switch-off keeps it: the next start finishes it (fake clock)', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const first = make(clock);
    await first.jobs.start();
    await first.service.turnOn({ forMs: 3_600_000 });
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(true);
    // Plex stops answering properly just as the switch-off falls due.
    plex.state.mode = 'html';
    clock.advance(3_600_000);
    const job = first.jobs.jobs.find((j) => j.name === 'remote-access-off');
    expect(job).toBeDefined();
    // The run is under way; the row stays until Plex confirms, so a crash here loses nothing.
    expect(first.repository.scheduled()?.offAt).toBe(Date.UTC(2026, 0, 1, 13));
    // A restart (systemd stop) while it runs: stop waits for the run, which records its failure.
    await first.jobs.stop();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(true);
    expect(first.repository.scheduled()?.attempts).toBe(1);
    expect(first.repository.scheduled()?.lastError).toBeTruthy();
    // Nothing fires after stop, however far the clock moves.
    clock.advance(3_600_000);
    await job?.idle();
    expect(first.repository.scheduled()?.attempts).toBe(1);

    plex.state.mode = 'normal';
    const second = make(clock);
    await second.jobs.start();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(false);
    expect(second.repository.scheduled()).toBeUndefined();
  });

  it('a failed switch-off retries with backoff on the fake clock until Plex confirms', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const { service, repository, jobs } = make(clock, {}, 1_000);
    await jobs.start();
    await service.turnOn({ forMs: 60_000 });
    plex.state.mode = 'html';
    const job = jobs.jobs.find((j) => j.name === 'remote-access-off');
    clock.advance(60_000);
    await job?.idle();
    expect(repository.scheduled()?.attempts).toBe(1);
    expect(job?.nextAt()).toBe(clock.now() + 1_000);
    clock.advance(1_000);
    await job?.idle();
    expect(repository.scheduled()?.attempts).toBe(2);
    // Doubled: 2 s after the second failure, not 1 s.
    expect(job?.nextAt()).toBe(clock.now() + 2_000);
    plex.state.mode = 'normal';
    clock.advance(2_000);
    await job?.idle();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(false);
    expect(repository.scheduled()).toBeUndefined();
    expect(job?.nextAt()).toBeUndefined();
  });

  it('a restart before the deadline re-arms the switch-off instead of running it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const first = make(clock);
    await first.service.turnOn({ forMs: 3_600_000 });
    await first.jobs.stop();
    clock.advance(30 * 60_000);
    const second = make(clock);
    await second.jobs.start();
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(true);
    expect((await second.service.status()).lines).toContain(
      'Switches off automatically at 2026-01-01T13:00:00.000Z (in 30m).',
    );
  });

  it('a short real duration switches off through the timer', async () => {
    const { service, repository, jobs } = make(systemClock);
    await jobs.start();
    await service.turnOn({ forMs: 300 });
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(true);
    await expect.poll(() => plex.pref('PublishServerOnPlexOnlineKey')?.value, { timeout: 5_000 }).toBe(false);
    await expect.poll(() => repository.scheduled(), { timeout: 2_000 }).toBeUndefined();
  });

  it('a failed scheduled switch-off is kept and retried until it works', async () => {
    const { service, repository, jobs } = make(systemClock, {}, 200);
    await jobs.start();
    await service.turnOn({ forMs: 100 });
    plex.state.mode = 'html';
    await expect.poll(() => repository.scheduled()?.attempts ?? 0, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(repository.scheduled()?.lastError).toBeTruthy();
    plex.state.mode = 'normal';
    await expect.poll(() => plex.pref('PublishServerOnPlexOnlineKey')?.value, { timeout: 5_000 }).toBe(false);
    await expect.poll(() => repository.scheduled(), { timeout: 2_000 }).toBeUndefined();
  });

  it('turnOn without a limit and turnOff both cancel a pending switch-off', async () => {
    const { service, repository } = make();
    await service.turnOn({ forMs: 60_000 });
    expect(repository.scheduled()).toBeDefined();
    const on = await service.turnOn({});
    expect(on.lines).toContain('No automatic switch-off: it stays on until switched off.');
    expect(repository.scheduled()).toBeUndefined();
    await service.turnOn({ forMs: 60_000 });
    await service.turnOff();
    expect(repository.scheduled()).toBeUndefined();
  });

  it('turnOn that Plex refuses schedules nothing', async () => {
    const { service, repository } = make();
    plex.state.mode = 'html';
    const outcome = await service.turnOn({ forMs: 60_000 });
    expect(outcome.ok).toBe(false);
    expect(repository.scheduled()).toBeUndefined();
  });

  it('status lists the preference, the router mappings to Plex and the relay', async () => {
    const { service } = make();
    const status = await service.status();
    expect(status.enabled).toBe(true);
    expect(status.offAt).toBeUndefined();
    expect(status.lines).toEqual(
      expect.arrayContaining([
        'Plex remote access: on (PublishServerOnPlexOnlineKey=1).',
        expect.stringMatching(/^Plex mapping state: unknown/),
        `Router mappings to Plex: TCP 32400 → ${PLEX_HOST}:32400 "Plex Media Server"; TCP 40500 → ${PLEX_HOST}:32400 "Plex (alt)".`,
      ]),
    );
  });

  it('create() builds the service from the app context pieces', async () => {
    const config = testConfig(
      testEnv({ databasePath: ':memory:', plexUrl: plex.url, ROUTER_UPNP_URL: igd.descriptionUrl }),
    );
    const db = openDb(`${dir.path}/db.sqlite`);
    dbs.push(db);
    const client = new PlexClient({
      baseUrl: plex.url,
      token: config.plex.token,
      clientIdentifier: '00000000-0000-4000-8000-000000000000',
      timeoutMs: 1_000,
    });
    const clock = new ManualClock();
    const jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
    schedulers.push(jobs);
    const service = RemoteAccessService.create({
      config,
      repos: createRepositories(db),
      plex: client,
      clock,
      logger: silentLogger(),
      jobs,
    });
    await jobs.start();
    expect(jobs.jobs.map((j) => j.name)).toEqual(['remote-access-off']);
    expect((await service.status()).enabled).toBe(true);
  });

  it('stop() during a timer-driven switch-off waits for it, so closing the database loses nothing', async () => {
    // Real time: the timer must fire on its own, as in the running bot.
    const { repository, jobs } = make(systemClock);
    plex.setPref('PublishServerOnPlexOnlineKey', true);
    repository.schedule(Date.now() + 30, Date.now());
    plex.state.mode = 'slow';
    plex.state.slowMs = 300;
    await jobs.start();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const stopping = performance.now();
    await jobs.stop();
    // stop() returned only after the run finished: the preference is off and the row cleared.
    expect(performance.now() - stopping).toBeGreaterThan(100);
    expect(plex.pref('PublishServerOnPlexOnlineKey')?.value).toBe(false);
    expect(repository.scheduled()).toBeUndefined();
  });
});
