import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { runCliSync, spawnCli } from '../harness/cli-runner.js';
import { botEnv, tempDir } from '../harness/test-env.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

describe('a locked or read-only database is reported clearly, with exit code 2 and no stack trace', () => {
  let dir: ReturnType<typeof tempDir>;
  let dbPath: string;
  let holder: BetterSqlite3.Database | undefined;

  const env = (): Record<string, string> =>
    botEnv(
      // Never contacted: the bot must stop at the database, before Discord.
      { apiUrl: 'http://127.0.0.1:9/api' },
      { databasePath: dbPath, plexUrl: 'http://127.0.0.1:9' },
      {},
      ['APPROVER_ROLE_IDS'],
    ) as Record<string, string>;

  beforeEach(() => {
    dir = tempDir();
    dbPath = join(dir.path, 'plex-warden.sqlite');
    openDatabase(dbPath).close();
  });
  afterEach(() => {
    holder?.close();
    holder = undefined;
    dir.remove();
  });

  it('another process holding an exclusive lock: scan and bot name the lock and exit 2', () => {
    holder = new BetterSqlite3(dbPath);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('held', '1');
    for (const command of ['scan', 'bot']) {
      const started = performance.now();
      const { code, stderr } = runCliSync([command], env(), dir.path);
      expect(performance.now() - started, command).toBeLessThan(15_000);
      expect(code, command).toBe(2);
      expect(stderr, command).toContain(`The database ${dbPath} is locked by another process`);
      expect(stderr, command).not.toMatch(/\n\s+at /);
      expect(stderr, command).not.toMatch(/Usage:/);
    }
  });

  it('a database the service user cannot write: scan exits 2 saying it is read-only', async () => {
    if (isRoot) {
      // Root ignores file modes; run the CLI as an unprivileged user, like the systemd unit does.
      chmodSync(dir.path, 0o755);
      chownSync(dbPath, 0, 0);
      chmodSync(dbPath, 0o644);
    } else {
      chmodSync(dbPath, 0o444);
      chmodSync(dir.path, 0o555);
    }
    const cli = spawnCli(['scan'], env(), dir.path, isRoot ? { uid: NOBODY, gid: NOBODY } : {});
    const { code } = await cli.exited;
    if (!isRoot) chmodSync(dir.path, 0o755);
    expect(cli.output.stderr).toMatch(new RegExp(`The database ${dbPath} is (read-only|cannot be opened)`));
    expect(code).toBe(2);
    expect(cli.output.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file that is not a database is named as such', () => {
    holder = undefined;
    const other = join(dir.path, 'notes.sqlite');
    writeFileSync(other, 'these are my notes, not a database\n'.repeat(200));
    const { code, stderr } = runCliSync(['scan'], { ...env(), DATABASE_PATH: other }, dir.path);
    expect(code).toBe(2);
    expect(stderr).toContain(`${other} is not a SQLite database`);
  });
});
