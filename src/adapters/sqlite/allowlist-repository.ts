import type { AllowlistEntry } from '../../domain/ban.js';
import type { Database } from './database.js';
import { fromRow } from './row.js';

interface Row {
  cidr: string;
  note: string;
  added_by: string;
  added_at: number;
  expires_at: number | null;
}

function toEntry(r: Row): AllowlistEntry {
  return fromRow(r);
}

export class AllowlistRepository {
  constructor(private readonly db: Database) {}

  /** Adds or updates the note; returns whether the entry is new. */
  upsert(entry: AllowlistEntry): boolean {
    const existed = this.db.prepare('SELECT 1 FROM allowlist WHERE cidr = ?').get(entry.cidr) !== undefined;
    this.db
      .prepare(
        `INSERT INTO allowlist (cidr, note, added_by, added_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (cidr) DO UPDATE SET note = excluded.note, added_by = excluded.added_by,
           added_at = excluded.added_at, expires_at = excluded.expires_at`,
      )
      .run(entry.cidr, entry.note, entry.addedBy, entry.addedAt, entry.expiresAt ?? null);
    return !existed;
  }

  remove(cidr: string): boolean {
    return this.db.prepare('DELETE FROM allowlist WHERE cidr = ?').run(cidr).changes === 1;
  }

  all(): AllowlistEntry[] {
    const rows = this.db.prepare('SELECT * FROM allowlist ORDER BY added_at, cidr').all() as Row[];
    return rows.map(toEntry);
  }

  /** Entries that still apply at `now` (an expired entry stays listed until removed). */
  active(now: number): AllowlistEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM allowlist WHERE expires_at IS NULL OR expires_at > ? ORDER BY added_at, cidr')
      .all(now) as Row[];
    return rows.map(toEntry);
  }

  cidrs(): string[] {
    return (this.db.prepare('SELECT cidr FROM allowlist').all() as { cidr: string }[]).map((r) => r.cidr);
  }
}
