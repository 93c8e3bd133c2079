import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { UserError } from '../errors.js';
import { migrations as registered } from './migrations/index.js';
import type { Migration } from './migrations/types.js';

export type Database = BetterSqlite3.Database;

/**
 * Opens (creating if needed) the SQLite file, turns on WAL and foreign keys, and applies
 * pending migrations, each in its own transaction together with the user_version bump.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = registered): Database {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new UserError(
        `Cannot create the database folder for DATABASE_PATH=${path}: ${(error as Error).message}`,
      );
    }
  }
  let db: Database;
  try {
    db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new UserError(`Cannot open the database at DATABASE_PATH=${path}: ${(error as Error).message}`);
  }
  migrate(db, migrations);
  return db;
}

export function migrate(db: Database, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new UserError(
      `The database is at schema version ${current}, newer than this build knows (${migrations.length}). Upgrade plex-warden or use another DATABASE_PATH.`,
    );
  }
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
