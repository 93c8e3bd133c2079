import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/sqlite/database.js';
import { UserError } from '../../src/kernel/errors.js';
import { captureLogger } from '../harness/capture-logger.js';
import { fileReviewer } from '../harness/file-reviewer.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 19, 31, 0);
/** A PMS 1.43 request signed in as `name` (test/fixtures/logs/plex-1.43.log has the shape). */
const signedIn = (ip: string, name: string, n: number) =>
  `Nov 25, 2026 19:30:${String(n).padStart(2, '0')}.000 [0x7f3] DEBUG - Request: [${ip}:1234 (WAN)] GET /hubs (3 live) #${4000 + n} TLS GZIP Signed-in Token (${name})\n`;

describe('the Plex owner for owner-new-address', () => {
  let dir: { path: string; remove(): void };
  let db: Database;
  let file: string;
  let clock: ManualClock;
  beforeEach(() => {
    dir = tempDir('plex-warden-owner-');
    db = openTestDatabase(join(dir.path, 'db.sqlite'));
    file = join(dir.path, 'Plex Media Server.log');
    clock = new ManualClock(NOW);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  function reviewer(learn: ((signal: AbortSignal) => Promise<string>) | undefined, owner = '') {
    const { logger, entries } = captureLogger();
    const { reviewer: r } = fileReviewer(db, `plex:${file}`, clock, {
      env: { LOG_PLEX_OWNER: owner },
      logger,
      ...(learn ? { learnPlexOwner: learn } : {}),
    });
    const keys = async () => (await r.review()).findings.map((f) => f.key);
    return { keys, entries };
  }

  it('is learned from plex.tv when LOG_PLEX_OWNER is empty: the owner from a new address is reported', async () => {
    let asked = 0;
    const { keys, entries } = reviewer(async () => {
      asked++;
      return 'alice';
    });
    writeFileSync(file, signedIn('198.51.100.7', 'alice', 1));
    expect(await keys()).toEqual([]);
    appendFileSync(file, signedIn('203.0.113.77', 'alice', 2) + signedIn('203.0.113.78', 'bob', 3));
    expect(await keys()).toContain('owner-new-address:plex:203.0.113.77');
    expect((await keys()).filter((k) => k.startsWith('owner-new-address'))).toEqual([
      'owner-new-address:plex:203.0.113.77',
    ]);
    expect(asked).toBe(1);
    // The account name stays out of the log.
    expect(JSON.stringify(entries)).not.toContain('alice');
  });

  it('LOG_PLEX_OWNER overrides it: plex.tv is not asked', async () => {
    let asked = 0;
    const { keys } = reviewer(async () => {
      asked++;
      return 'alice';
    }, 'bob');
    writeFileSync(file, signedIn('198.51.100.7', 'bob', 1));
    await keys();
    appendFileSync(file, signedIn('203.0.113.77', 'alice', 2) + signedIn('203.0.113.78', 'bob', 3));
    expect((await keys()).filter((k) => k.startsWith('owner-new-address'))).toEqual([
      'owner-new-address:plex:203.0.113.78',
    ]);
    expect(asked).toBe(0);
  });

  it('when plex.tv cannot tell (not the owner token, down), the detector waits and it is asked again later', async () => {
    let answer: () => Promise<string> = async () => {
      throw new UserError(
        "PLEX_TOKEN is not the server owner's: plex.tv does not list this server as owned by its account.",
      );
    };
    let asked = 0;
    const { keys, entries } = reviewer(() => {
      asked++;
      return answer();
    });
    writeFileSync(file, signedIn('198.51.100.7', 'alice', 1));
    await keys();
    appendFileSync(file, signedIn('203.0.113.77', 'alice', 2));
    expect((await keys()).filter((k) => k.startsWith('owner-new-address'))).toEqual([]);
    expect(asked).toBe(1);
    expect(entries.some((e) => e.level === 'warn' && /learning the Plex owner/.test(e.message))).toBe(true);
    // Not asked on every pass, but again after a while; then the name applies from there on.
    answer = async () => 'alice';
    clock.advance(16 * 60_000);
    await keys();
    expect(asked).toBe(2);
    appendFileSync(file, signedIn('203.0.113.79', 'alice', 4));
    expect((await keys()).filter((k) => k.startsWith('owner-new-address'))).toEqual([
      'owner-new-address:plex:203.0.113.79',
    ]);
  });

  it('without a way to learn it and no LOG_PLEX_OWNER, the detector stays silent', async () => {
    const { keys } = reviewer(undefined);
    writeFileSync(file, signedIn('198.51.100.7', 'alice', 1));
    await keys();
    appendFileSync(file, signedIn('203.0.113.77', 'alice', 2));
    expect((await keys()).filter((k) => k.startsWith('owner-new-address'))).toEqual([]);
  });
});
