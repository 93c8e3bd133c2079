import type { Migration } from './types.js';

/**
 * journald sources (issue 13): a source's position is a journal cursor instead of a file
 * offset. The row keeps its file columns (NOT NULL since migration 2) with neutral values for
 * a journal: `path` names the match, `offset` holds the time a cursorless first pass started
 * from, and `journal_cursor` the `__CURSOR` of the last entry reviewed. Committed in the same
 * transaction as the counts, like a file offset.
 */
export const journalPosition: Migration = {
  version: 9,
  name: 'journal-position',
  up(db) {
    db.exec(`
      ALTER TABLE log_files ADD COLUMN position_kind TEXT NOT NULL DEFAULT 'file'
        CHECK (position_kind IN ('file', 'journald'));
      ALTER TABLE log_files ADD COLUMN journal_cursor TEXT;
    `);
  },
};
