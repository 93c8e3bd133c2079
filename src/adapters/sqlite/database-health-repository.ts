import type { Database } from './database.js';

class RollBack extends Error {}

/** What the doctor asks of the database file itself, without holding the connection. */
export class DatabaseHealthRepository {
  constructor(private readonly db: Database) {}

  /**
   * A real write, rolled back: proves the file and its folder (WAL, journal) are writable.
   * Throws the SQLite error when they are not.
   */
  proveWritable(): void {
    try {
      this.db
        .transaction(() => {
          this.db
            .prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)')
            .run('doctor.probe', '1');
          throw new RollBack();
        })
        .immediate();
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }
}
