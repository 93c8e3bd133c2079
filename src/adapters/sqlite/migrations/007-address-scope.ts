import type { Migration } from './types.js';

/**
 * What AddressScope reads besides the configuration: the household's public addresses as each
 * source last reported them (one row per source: a new answer replaces the old one, so an
 * address the household no longer has stops being protected), and an optional expiry on
 * /allow entries (NULL: until removed).
 */
export const addressScope: Migration = {
  version: 7,
  name: 'address-scope',
  up(db) {
    db.exec(`
      CREATE TABLE public_address (
        source      TEXT PRIMARY KEY CHECK (source IN ('plex', 'router', 'nat-pmp')),
        ip          TEXT NOT NULL,
        learned_at  INTEGER NOT NULL
      ) STRICT;

      ALTER TABLE allowlist ADD COLUMN expires_at INTEGER;
    `);
  },
};
