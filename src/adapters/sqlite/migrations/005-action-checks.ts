import type { Migration } from './types.js';

/**
 * Checks on actions (issue 12). A proposal carries a note for what happened while it waits
 * (an approval dropped because its giver is no longer an approver).
 *
 * Removing an expired ban can fail (firewall down, a wording we did not expect). Each failure
 * is counted and the next attempt waits longer; after the last attempt the ban is marked stuck:
 * reported once, never retried by the scheduler, still listed until /unblock clears it.
 */
export const actionChecks: Migration = {
  version: 5,
  name: 'action-checks',
  up(db) {
    db.exec(`
      ALTER TABLE bans ADD COLUMN removal_failures INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE bans ADD COLUMN removal_retry_at INTEGER;
      ALTER TABLE bans ADD COLUMN removal_stuck_at INTEGER;
      ALTER TABLE proposals ADD COLUMN note TEXT;
    `);
  },
};
