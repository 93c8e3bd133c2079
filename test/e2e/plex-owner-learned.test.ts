import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { FakePlexTvFeeds } from '../harness/fake-plex-tv-feeds.js';
import { ownedServer } from '../harness/plex-account-fixtures.js';
import { botEnv, tempDir, testContext } from '../harness/test-env.js';

/** A PMS 1.43 request signed in as `name` (test/fixtures/logs/plex-1.43.log has the shape). */
const signedIn = (ip: string, name: string, n: number) =>
  `Nov 25, 2026 19:30:${String(n).padStart(2, '0')}.000 [0x7f3] DEBUG - Request: [${ip}:1234 (WAN)] GET /hubs (3 live) #${4000 + n} TLS GZIP Signed-in Token (${name})\n`;

describe('the bot learns the Plex owner for owner-new-address (fake Plex, fake plex.tv)', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let plexTv: FakePlexTvFeeds;
  let app: AppContext | undefined;
  let log: string;

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    plex = new FakePlex();
    plexTv = new FakePlexTvFeeds();
    await Promise.all([discord.start(), plex.start(), plexTv.start()]);
    log = join(dir.path, 'Plex Media Server.log');
  });
  afterEach(async () => {
    app?.close();
    await Promise.all([discord.stop(), plex.stop(), plexTv.stop()]);
    dir.remove();
  });

  const start = (extra: Record<string, string> = {}) => {
    app = testContext(
      botEnv(
        discord,
        { databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url },
        {
          PLEX_TV_URL: plexTv.url,
          LOG_SOURCES: `plex:${log}`,
          LOG_TIMEZONE: 'UTC',
          LOG_MAX_AGE: '3650d',
          ...extra,
        },
      ),
    );
    return app;
  };
  const ownerFindings = async (a: AppContext) =>
    (await a.reviewer.review()).findings.map((f) => f.key).filter((k) => k.startsWith('owner-new-address'));

  it("takes the name of PLEX_TOKEN's plex.tv account once plex.tv lists the server as its own", async () => {
    plexTv.state.resources = ownedServer();
    const a = start();
    // The fake plex.tv account's username (fake-plex-tv.ts answers `/api/v2/user` with it).
    writeFileSync(log, signedIn('198.51.100.7', 'owner', 1));
    await ownerFindings(a);
    appendFileSync(log, signedIn('203.0.113.77', 'owner', 2) + signedIn('203.0.113.78', 'friend', 3));
    expect(await ownerFindings(a)).toEqual(['owner-new-address:plex:203.0.113.77']);
  });

  it('a token whose account does not own the server names nobody', async () => {
    plexTv.state.resources = ownedServer(false);
    const a = start();
    writeFileSync(log, signedIn('198.51.100.7', 'owner', 1));
    await ownerFindings(a);
    appendFileSync(log, signedIn('203.0.113.77', 'owner', 2));
    expect(await ownerFindings(a)).toEqual([]);
  });
});
