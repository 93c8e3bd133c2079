import { findingAddresses } from '../finding-addresses.js';
import type { Migration } from './types.js';

/**
 * The addresses each finding is about, so whois finds exactly the findings of 10.0.0.1 and not
 * those of 10.0.0.12 (a substring match on the title did). Filled from what is stored already.
 */
export const findingAddressIndex: Migration = {
  version: 11,
  name: 'finding-addresses',
  up(db) {
    db.exec(`
      CREATE TABLE finding_addresses (
        ip          TEXT NOT NULL,
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
        PRIMARY KEY (ip, fingerprint)
      ) STRICT, WITHOUT ROWID;
    `);
    const rows = db.prepare('SELECT fingerprint, title, action FROM findings').all() as {
      fingerprint: string;
      title: string;
      action: string | null;
    }[];
    const insert = db.prepare('INSERT OR IGNORE INTO finding_addresses (ip, fingerprint) VALUES (?, ?)');
    for (const row of rows) {
      for (const ip of findingAddresses(row.title, row.action)) insert.run(ip, row.fingerprint);
    }
  },
};
