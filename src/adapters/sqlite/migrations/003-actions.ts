import type { Migration } from './types.js';

/** Proposals approved by reaction, bans, the allow-list and the audit log (issue 6). */
export const actions: Migration = {
  version: 3,
  name: 'actions',
  up(db) {
    db.exec(`
      -- Stored before the Discord message exists; message_id is filled in once it is posted, and
      -- reactions are looked up by it (also after a restart).
      CREATE TABLE proposals (
        id                 INTEGER PRIMARY KEY,
        kind               TEXT NOT NULL,
        payload            TEXT NOT NULL,
        summary            TEXT NOT NULL,
        origin             TEXT NOT NULL CHECK (origin IN ('command', 'finding', 'auto')),
        requested_by       TEXT NOT NULL,
        channel_id         TEXT,
        message_id         TEXT UNIQUE,
        required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
        status             TEXT NOT NULL
                           CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled', 'expired')),
        created_at         INTEGER NOT NULL,
        expires_at         INTEGER NOT NULL,
        decided_by         TEXT,
        decided_at         INTEGER,
        finished_at        INTEGER,
        outcome            TEXT
      ) STRICT;
      CREATE INDEX proposals_pending ON proposals (status, expires_at);

      -- Distinct approvers so far: the primary key makes a double ✅ count once.
      CREATE TABLE proposal_approvals (
        proposal_id INTEGER NOT NULL REFERENCES proposals (id),
        user_id     TEXT NOT NULL,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (proposal_id, user_id)
      ) STRICT;

      CREATE TABLE bans (
        id           INTEGER PRIMARY KEY,
        target       TEXT NOT NULL,
        reason       TEXT NOT NULL,
        origin       TEXT NOT NULL CHECK (origin IN ('command', 'finding', 'auto')),
        requested_by TEXT NOT NULL,
        proposal_id  INTEGER REFERENCES proposals (id),
        backend      TEXT NOT NULL,
        level        INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        removed_at   INTEGER,
        removed_by   TEXT,
        removed_why  TEXT CHECK (removed_why IN ('expired', 'unblocked', 'replaced'))
      ) STRICT;
      -- At most one active ban per target.
      CREATE UNIQUE INDEX bans_active ON bans (target) WHERE removed_at IS NULL;
      CREATE INDEX bans_expiry ON bans (expires_at) WHERE removed_at IS NULL;
      CREATE INDEX bans_history ON bans (target, created_at);

      CREATE TABLE allowlist (
        cidr     TEXT PRIMARY KEY,
        note     TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        proposal_id INTEGER,
        target      TEXT,
        detail      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_proposal ON audit_log (proposal_id);
    `);
  },
};
