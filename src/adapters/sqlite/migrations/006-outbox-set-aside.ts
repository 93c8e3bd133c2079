import type { Migration } from './types.js';

/**
 * Alerts Discord refused even one finding per message: kept (not deleted) so that /status and
 * /findings can show them and an admin can read them with `sqlite3`. No reference to other
 * issues' tables.
 */
export const outboxSetAside: Migration = {
  version: 6,
  name: 'outbox-set-aside',
  up(db) {
    db.exec(`
      CREATE TABLE outbox_set_aside (
        id          INTEGER PRIMARY KEY,
        channel_id  TEXT NOT NULL,
        payload     TEXT NOT NULL,
        reason      TEXT NOT NULL,
        set_aside_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
