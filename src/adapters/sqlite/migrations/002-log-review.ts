import type { Migration } from './types.js';

/** Incremental log review (issue 5): file positions, detector state, counts, open findings. */
export const logReview: Migration = {
  version: 2,
  name: 'log-review',
  up(db) {
    db.exec(`
      -- Where each source stopped: the file's identity (device, inode, a hash of its first
      -- bytes) and the byte offset after the last complete line reviewed. Written in the same
      -- transaction as everything below, so a crash neither repeats nor skips a line.
      CREATE TABLE log_files (
        source_id    TEXT PRIMARY KEY,
        path         TEXT NOT NULL,
        dev          TEXT NOT NULL,
        ino          TEXT NOT NULL,
        head_len     INTEGER NOT NULL,
        head_hash    TEXT NOT NULL,
        offset       INTEGER NOT NULL,
        learning     INTEGER NOT NULL CHECK (learning IN (0, 1)),
        parser_state TEXT,
        lines        INTEGER NOT NULL DEFAULT 0,
        matched      INTEGER NOT NULL DEFAULT 0,
        skipped      INTEGER NOT NULL DEFAULT 0,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      -- Per-address detector windows and baselines, so a restart does not forget an attack
      -- in progress or the addresses already known.
      CREATE TABLE log_detector_state (
        source_id TEXT NOT NULL,
        detector  TEXT NOT NULL,
        ip        TEXT NOT NULL,
        state     TEXT NOT NULL,
        last_at   INTEGER NOT NULL,
        PRIMARY KEY (source_id, detector, ip)
      ) STRICT, WITHOUT ROWID;

      -- Events per address since the source was first reviewed (what replay prints).
      CREATE TABLE log_address_counts (
        source_id     TEXT NOT NULL,
        ip            TEXT NOT NULL,
        failures      INTEGER NOT NULL,
        client_errors INTEGER NOT NULL,
        bad_tokens    INTEGER NOT NULL,
        last_at       INTEGER NOT NULL,
        PRIMARY KEY (source_id, ip)
      ) STRICT, WITHOUT ROWID;

      -- Findings the review currently reports; each expires a while after the last line that
      -- supported it, which is when the alert lifecycle sees it resolved.
      CREATE TABLE log_findings (
        key        TEXT PRIMARY KEY,
        source_id  TEXT NOT NULL,
        detector   TEXT NOT NULL,
        ip         TEXT NOT NULL,
        draft      TEXT NOT NULL,
        last_at    INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX log_findings_expiry ON log_findings (expires_at);
    `);
  },
};
