import { type Database, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import type { Migration } from '../../src/db/migrations/types.js';

/**
 * The registered migrations with any not-yet-merged numbers filled by no-ops: migration
 * numbers are assigned per issue, so a branch may hold 003 without 002 until the lead merges.
 */
export function contiguousMigrations(list: readonly Migration[] = migrations): Migration[] {
  const out: Migration[] = [];
  for (const m of list) {
    while (out.length + 1 < m.version) out.push({ version: out.length + 1, name: 'not-merged-yet', up() {} });
    out.push(m);
  }
  return out;
}

export function openTestDatabase(path: string): Database {
  return openDatabase(path, contiguousMigrations());
}
