import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { UserError } from '../../kernel/errors.js';
import { DatabaseError } from './database-error.js';
import { migrations as registered } from './migrations/index.js';
import type { Migration } from './migrations/types.js';

export type Database = BetterSqlite3.Database;

export { DatabaseError } from './database-error.js';

/** A one-line reason for a SQLite failure, naming the path; never a stack trace. */
export function describeDatabaseError(error: unknown, path: string): string {
  if (error instanceof UserError) return error.message;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      return `The database ${path} is locked by another process (another plex-warden, a backup, or a sqlite3 shell holding a lock)`;
    if (code.startsWith('SQLITE_READONLY'))
      return `The database ${path} is read-only for this user (file, folder or file system): plex-warden must be able to write it`;
    if (code.startsWith('SQLITE_CANTOPEN'))
      return `The database ${path} cannot be opened (missing folder or no permission to create files in it)`;
    if (code === 'SQLITE_NOTADB') return `${path} is not a SQLite database`;
    if (code.startsWith('SQLITE_CORRUPT')) return `The database ${path} is damaged (${message})`;
    if (code.startsWith('SQLITE_FULL')) return `The disk holding ${path} is full`;
    if (code.startsWith('SQLITE_IOERR')) return `Reading or writing ${path} failed (${code})`;
  }
  return `Cannot use the database at ${path}: ${message}`;
}

function isSqliteError(error: unknown): boolean {
  return (
    typeof (error as { code?: unknown })?.code === 'string' &&
    String((error as { code: string }).code).startsWith('SQLITE_')
  );
}

/**
 * Opens (creating if needed) the SQLite file, turns on WAL and foreign keys, and applies
 * pending migrations, each in its own transaction together with the user_version bump.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = registered): Database {
  const onDisk = path !== ':memory:' && path !== '';
  let created = false;
  if (onDisk) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The database holds tokens' neighbours (ban lists, audit log, Discord ids): create it
      // owner-only whatever the umask. SQLite gives the -wal and -shm files the database
      // file's permissions (https://www.sqlite.org/tempfiles.html), and they are set again below.
      if (!existsSync(path)) {
        closeSync(openSync(path, 'a', 0o600));
        chmodSync(path, 0o600);
        created = true;
      }
    } catch (error) {
      throw new DatabaseError(
        `Cannot create the database for DATABASE_PATH=${path}: ${(error as Error).message}`,
      );
    }
  }
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(path);
    // First, so that every later statement waits for a briefly held lock instead of failing.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
    // Opening a read-only file succeeds and reads work: prove now that writes will too, rather
    // than losing the first alert later.
    db.prepare('BEGIN IMMEDIATE').run();
    db.prepare('ROLLBACK').run();
    if (created)
      for (const side of [`${path}-wal`, `${path}-shm`]) if (existsSync(side)) chmodSync(side, 0o600);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof UserError) throw error;
    if (isSqliteError(error))
      throw new DatabaseError(`${describeDatabaseError(error, path)} (DATABASE_PATH).`);
    throw error;
  }
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
