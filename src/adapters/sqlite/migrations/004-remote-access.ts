import type { Migration } from './types.js';

/**
 * The pending automatic switch-off of Plex remote access ("on for 2 hours"). At most one row:
 * a new "on for N" replaces it, "off" and "on" without a limit delete it. Kept in the database
 * so the switch-off still happens after a restart. No reference to other issues' tables.
 */
export const remoteAccess: Migration = {
  version: 4,
  name: 'remote-access',
  up(db) {
    db.exec(`
      CREATE TABLE remote_access_schedule (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        off_at      INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT
      ) STRICT;
    `);
  },
};
