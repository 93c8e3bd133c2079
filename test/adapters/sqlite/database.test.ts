import { existsSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../../src/adapters/sqlite/database.js';
import { migrations } from '../../../src/adapters/sqlite/migrations/index.js';
import type { Migration } from '../../../src/adapters/sqlite/migrations/types.js';
import { tempDir } from '../../harness/test-env.js';

describe('database', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('opens in WAL mode with foreign keys and the latest schema', () => {
    const db = openDatabase(`${dir.path}/a/b/c.sqlite`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('creates the database, its WAL and its SHM owner-only (0600) under a permissive umask', () => {
    const previous = process.umask(0o000);
    try {
      const path = `${dir.path}/perm/db.sqlite`;
      const db = openDatabase(path);
      db.prepare('CREATE TABLE t (x)').run();
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(file), file).toBe(true);
        expect(statSync(file).mode & 0o777, file).toBe(0o600);
      }
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it('applies only pending migrations and rolls a failing one back entirely', () => {
    const db = openDatabase(':memory:', []);
    const ok: Migration = { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE one (x)') };
    const bad: Migration = {
      version: 2,
      name: 'two',
      up: (d) => {
        d.exec('CREATE TABLE two (x)');
        throw new Error('broken migration');
      },
    };
    migrate(db, [ok]);
    expect(() => migrate(db, [ok, bad])).toThrow('broken migration');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'two'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database newer than this build', () => {
    const db = openDatabase(':memory:', []);
    db.pragma('user_version = 99');
    expect(() => migrate(db, migrations)).toThrow(/newer than this build knows/);
    db.close();
  });

  it('keeps the Plex client identifier across reopenings', async () => {
    const { createRepositories } = await import('../../../src/adapters/sqlite/index.js');
    const path = `${dir.path}/id.sqlite`;
    const first = openDatabase(path);
    const id = createRepositories(first).settings.plexClientIdentifier();
    first.close();
    const second = openDatabase(path);
    expect(createRepositories(second).settings.plexClientIdentifier()).toBe(id);
    second.close();
  });
});
