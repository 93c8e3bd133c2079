import type { Migration } from './types.js';

/**
 * Removing an expired ban can fail (firewall down, a wording we did not expect). Each failure
 * is counted and the next attempt waits longer; after the last attempt the ban is marked stuck:
 * reported once, never retried by the scheduler, still listed until /unblock clears it.
 */
export const banRemoval: Migration = {
  version: 5,
  name: 'ban-removal',
  up(db) {
    db.exec(`
      ALTER TABLE bans ADD COLUMN removal_failures INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE bans ADD COLUMN removal_retry_at INTEGER;
      ALTER TABLE bans ADD COLUMN removal_stuck_at INTEGER;
    `);
  },
};
