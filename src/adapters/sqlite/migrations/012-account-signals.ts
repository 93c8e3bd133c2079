import type { Migration } from './types.js';

/**
 * plex-account-signals: the countries each Plex user has streamed from (first seen 0 = learned
 * quietly by the first scan) and their recent remote sessions with the place the city database
 * gave (NULL coordinates: no city data). Both are bounded by AccountSignalRepository.
 */
export const accountSignals: Migration = {
  version: 12,
  name: 'account-signals',
  up(db) {
    db.exec(`
      CREATE TABLE account_countries (
        user_key    TEXT NOT NULL,
        country     TEXT NOT NULL,
        first_seen  INTEGER NOT NULL,
        last_seen   INTEGER NOT NULL,
        PRIMARY KEY (user_key, country)
      ) STRICT;

      CREATE TABLE account_sessions (
        user_key     TEXT NOT NULL,
        session_key  TEXT NOT NULL,
        address      TEXT NOT NULL,
        device       TEXT,
        country      TEXT,
        city         TEXT,
        latitude     REAL,
        longitude    REAL,
        accuracy_km  REAL,
        first_seen   INTEGER NOT NULL,
        last_seen    INTEGER NOT NULL,
        PRIMARY KEY (user_key, session_key)
      ) STRICT;

      CREATE INDEX account_sessions_age ON account_sessions (last_seen);
      CREATE INDEX account_countries_age ON account_countries (last_seen);
    `);
  },
};
