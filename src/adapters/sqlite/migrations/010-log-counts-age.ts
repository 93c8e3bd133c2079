import type { Migration } from './types.js';

/**
 * `log_address_counts` is pruned by age and size (LOG_COUNTS_RETENTION, LOG_COUNTS_MAX_ADDRESSES):
 * both walk a source's rows by `last_at`, so they need it indexed (otherwise every commit under a
 * flood would scan the table).
 */
export const logCountsAge: Migration = {
  version: 10,
  name: 'log-counts-age',
  up(db) {
    db.exec('CREATE INDEX log_address_counts_age ON log_address_counts (source_id, last_at);');
  },
};
