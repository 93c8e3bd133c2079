/**
 * Runs inside a lab namespace (RouterLab.runScript): reads a JSON command on stdin, talks to the
 * router from there, prints one JSON line. Only loopback fakes and the lab router are contacted.
 */

import { RemoteAccessService } from '../../src/actions/remote-access-service.js';
import { PlexClient } from '../../src/adapters/plex/plex-client.js';
import { IgdClient } from '../../src/adapters/router/igd-client.js';
import { RouterHttp } from '../../src/adapters/router/soap-client.js';
import { UpnpFaultError } from '../../src/adapters/router/upnp-errors.js';
import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';
import { RemoteAccessRepository } from '../../src/adapters/sqlite/remote-access-repository.js';
import { routerUpnp } from '../../src/checks/router-upnp.js';
import { collectRouterFacts } from '../../src/exposure/router-facts.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FakePlex } from './fake-plex.js';
import { ManualClock } from './manual-clock.js';
import { tempDir, testConfig, testContext, testEnv } from './test-env.js';

type Command =
  | { op: 'facts'; env: Record<string, string> }
  | { op: 'check'; env: Record<string, string>; remoteAccess: boolean | null }
  | { op: 'add'; url: string; mapping: Parameters<IgdClient['addMapping']>[0] }
  | { op: 'delete-and-rewalk'; url: string; protocol: string; externalPort: number }
  | { op: 'both-walks'; url: string }
  | { op: 'add-many'; url: string; count: number; internalClient: string }
  | { op: 'time-walk'; url: string; rounds: number }
  | { op: 'remote-access'; scenario: 'off' | 'on-for-then-restart'; env: Record<string, string> };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const LIMITS = { maxMappings: 1000, timeBoundMs: 20_000 };

async function main(): Promise<unknown> {
  const command = JSON.parse(await readStdin()) as Command;
  const http = new RouterHttp({ timeoutMs: 5_000 });
  try {
    switch (command.op) {
      case 'facts': {
        const config = testConfig(
          testEnv({ databasePath: ':memory:', plexUrl: 'http://127.0.0.1:9', ...command.env }),
        );
        return await collectRouterFacts(config.router);
      }
      case 'check': {
        const plex = new FakePlex();
        await plex.start();
        const dir = tempDir();
        try {
          if (command.remoteAccess === null) plex.state.prefs = [];
          else plex.setPref('PublishServerOnPlexOnlineKey', command.remoteAccess);
          plex.state.myplexAccount.privateAddress = '192.168.77.10';
          const ctx = testContext(
            testEnv({
              databasePath: `${dir.path}/db.sqlite`,
              plexUrl: plex.url,
              CHECK_TIMEOUT: '20s',
              ...command.env,
            }),
            { checks: [routerUpnp] },
          );
          try {
            const result = await ctx.runner.run({ trigger: 'cli' });
            return { findings: result.findings, outcomes: result.checks };
          } finally {
            ctx.close();
          }
        } finally {
          await plex.stop();
          dir.remove();
        }
      }
      case 'add': {
        const client = await IgdClient.connect(command.url, http);
        try {
          await client.addMapping(command.mapping);
          return { ok: true };
        } catch (error) {
          if (error instanceof UpnpFaultError)
            return { ok: false, errorCode: error.errorCode, status: error.status };
          throw error;
        }
      }
      case 'delete-and-rewalk': {
        const client = await IgdClient.connect(command.url, http);
        const before = await client.walkGeneric(LIMITS);
        await client.deleteMapping({
          remoteHost: '',
          protocol: command.protocol,
          externalPort: command.externalPort,
        });
        const after = await client.walkGeneric(LIMITS);
        let secondDelete: unknown = 'ok';
        try {
          await client.deleteMapping({
            remoteHost: '',
            protocol: command.protocol,
            externalPort: command.externalPort,
          });
        } catch (error) {
          secondDelete = error instanceof UpnpFaultError ? { errorCode: error.errorCode } : String(error);
        }
        return { before, after, secondDelete };
      }
      case 'both-walks': {
        const client = await IgdClient.connect(command.url, http);
        return {
          service: client.service,
          generic: await client.walkGeneric(LIMITS),
          list: await client.listPortMappings(LIMITS),
          past: await client.genericEntry(100_000).then(
            () => 'no fault',
            (e: unknown) =>
              e instanceof UpnpFaultError ? { errorCode: e.errorCode, status: e.status } : String(e),
          ),
        };
      }
      case 'remote-access':
        return await remoteAccessScenario(command.scenario, command.env);
      case 'add-many': {
        const client = await IgdClient.connect(command.url, http);
        for (let i = 0; i < command.count; i++) {
          await client.addMapping({
            remoteHost: '',
            externalPort: 30000 + i,
            protocol: i % 2 === 0 ? 'TCP' : 'UDP',
            internalPort: 30000 + i,
            internalClient: command.internalClient,
            description: `bench ${i}`,
            leaseSeconds: 3600,
          });
        }
        return { ok: true };
      }
      case 'time-walk': {
        // Cold: description + external IP + walk on a fresh connection, like `upnpc -l` does.
        const cold: number[] = [];
        const walk: number[] = [];
        const list: number[] = [];
        let count = 0;
        let listCount = 0;
        for (let i = 0; i < command.rounds; i++) {
          const fresh = new RouterHttp({ timeoutMs: 5_000 });
          const t0 = performance.now();
          const client = await IgdClient.connect(command.url, fresh);
          await client.externalIp();
          const result = await client.walkGeneric(LIMITS);
          cold.push(performance.now() - t0);
          walk.push(result.elapsedMs);
          count = result.mappings.length;
          const listed = await client.listPortMappings(LIMITS);
          list.push(listed.elapsedMs);
          listCount = listed.mappings.length;
          await fresh.close();
        }
        return { cold, walk, list, count, listCount };
      }
    }
  } finally {
    await http.close();
  }
}

/** The service with a fake Plex on this namespace's loopback and the lab router. */
async function remoteAccessScenario(scenario: 'off' | 'on-for-then-restart', env: Record<string, string>) {
  const plex = new FakePlex();
  await plex.start();
  const dir = tempDir();
  const dbs: Database[] = [];
  const schedulers: JobScheduler[] = [];
  try {
    plex.setPref('PublishServerOnPlexOnlineKey', true);
    plex.setPref('RelayEnabled', true);
    plex.state.myplexAccount.privateAddress = '192.168.77.10';
    const config = testConfig(testEnv({ databasePath: ':memory:', plexUrl: plex.url, ...env }));
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    // A fresh process-level "start": new connection, repository and service over the same file.
    const boot = () => {
      const db = openDatabase(`${dir.path}/db.sqlite`);
      dbs.push(db);
      const jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
      schedulers.push(jobs);
      const service = new RemoteAccessService({
        plex: new PlexClient({
          baseUrl: plex.url,
          token: config.plex.token,
          clientIdentifier: '00000000-0000-4000-8000-000000000000',
          timeoutMs: 2_000,
        }),
        router: config.router,
        repository: new RemoteAccessRepository(db),
        clock,
        logger: silentLogger(),
        jobs,
      });
      return { service, jobs };
    };
    if (scenario === 'off') {
      const { service } = boot();
      const outcome = await service.turnOff();
      const status = await service.status();
      return { outcome, status, pref: plex.pref('PublishServerOnPlexOnlineKey')?.value };
    }
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    const first = boot();
    await first.jobs.start();
    const on = await first.service.turnOn({ forMs: 3_600_000 });
    const prefWhileOn = plex.pref('PublishServerOnPlexOnlineKey')?.value;
    await first.jobs.stop();
    clock.advance(2 * 3_600_000);
    const second = boot();
    await second.jobs.start();
    const status = await second.service.status();
    return { on, prefWhileOn, status, pref: plex.pref('PublishServerOnPlexOnlineKey')?.value };
  } finally {
    for (const jobs of schedulers) await jobs.stop();
    for (const db of dbs) db.close();
    await plex.stop();
    dir.remove();
  }
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
