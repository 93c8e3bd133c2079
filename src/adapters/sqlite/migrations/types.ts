import type BetterSqlite3 from 'better-sqlite3';

export interface Migration {
  /** Equals the position in the registry, starting at 1; stored in PRAGMA user_version. */
  readonly version: number;
  readonly name: string;
  up(db: BetterSqlite3.Database): void;
}
