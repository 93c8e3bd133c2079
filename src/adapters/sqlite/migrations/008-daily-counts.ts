import type { Migration } from './types.js';

/**
 * Failures and 4xx per local day, source and address: what the weekly picture draws and ranks
 * by network. Written in the log review's commit transaction, so a day's count never includes
 * a line twice; rows older than the report can show are pruned by the same commit. No
 * reference to other issues' tables.
 */
export const dailyCounts: Migration = {
  version: 8,
  name: 'daily-counts',
  up(db) {
    db.exec(`
      CREATE TABLE log_daily_counts (
        day           TEXT NOT NULL,
        source_id     TEXT NOT NULL,
        ip            TEXT NOT NULL,
        failures      INTEGER NOT NULL,
        client_errors INTEGER NOT NULL,
        PRIMARY KEY (day, source_id, ip)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
