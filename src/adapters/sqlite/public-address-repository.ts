import {
  isPublicAddressSource,
  type LearnedPublicAddress,
  type PublicAddressSource,
} from '../../domain/public-address.js';
import type { Database } from './database.js';

interface Row {
  source: string;
  ip: string;
  learned_at: number;
}

/** The household's public address as each source last reported it (one row per source). */
export class PublicAddressRepository {
  constructor(private readonly db: Database) {}

  /** Returns whether anything changed (a new address, or a source's first answer). */
  record(source: PublicAddressSource, ip: string, at: number): boolean {
    const before = this.db.prepare('SELECT ip FROM public_address WHERE source = ?').get(source) as
      | { ip: string }
      | undefined;
    this.db
      .prepare(
        `INSERT INTO public_address (source, ip, learned_at) VALUES (?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET ip = excluded.ip, learned_at = excluded.learned_at`,
      )
      .run(source, ip, at);
    return before?.ip !== ip;
  }

  all(): LearnedPublicAddress[] {
    const rows = this.db
      .prepare('SELECT source, ip, learned_at FROM public_address ORDER BY source')
      .all() as Row[];
    return rows.flatMap((r) =>
      isPublicAddressSource(r.source) ? [{ source: r.source, ip: r.ip, learnedAt: r.learned_at }] : [],
    );
  }
}
