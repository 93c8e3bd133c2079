import type { Migration } from './types.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE scan_runs (
        id          INTEGER PRIMARY KEY,
        trigger     TEXT NOT NULL,
        check_ids   TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'abandoned')),
        summary     TEXT
      ) STRICT;

      -- Current state of every finding ever seen, keyed by its stable fingerprint.
      CREATE TABLE findings (
        fingerprint     TEXT PRIMARY KEY,
        check_id        TEXT NOT NULL,
        severity        TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
        title           TEXT NOT NULL,
        evidence        TEXT NOT NULL,
        fix             TEXT NOT NULL,
        action          TEXT,
        status          TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        first_seen_at   INTEGER NOT NULL,
        last_seen_at    INTEGER NOT NULL,
        changed_at      INTEGER NOT NULL,
        resolved_at     INTEGER,
        last_run_id     INTEGER REFERENCES scan_runs (id),
        notified_at     INTEGER,
        snoozed_until   INTEGER
      ) STRICT;
      CREATE INDEX findings_status ON findings (status, check_id);

      -- What each run changed: the history behind alerts.
      CREATE TABLE finding_events (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER REFERENCES scan_runs (id),
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
        kind        TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'resolved', 'reopened')),
        severity    TEXT NOT NULL,
        at          INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX finding_events_run ON finding_events (run_id);

      -- Alerts wait here until Discord has them: nothing is lost while Discord is unreachable.
      CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY,
        channel_id TEXT NOT NULL,
        payload    TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      ) STRICT;

      -- Small JSON state a check keeps between scans (a device baseline, addresses seen).
      CREATE TABLE check_state (
        check_id   TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (check_id, key)
      ) STRICT;
    `);
  },
};
