import type { AccountSignalStore, SeenSession, UserCountry } from '../../domain/account-signals.js';
import type { Database } from './database.js';

/** A user keeps this many recent sessions: enough to compare a new stream with the last ones. */
export const MAX_SESSIONS_PER_USER = 20;
/** All users together; a household server has tens of users, this bounds a hostile flood too. */
export const MAX_SESSIONS = 2_000;
/** Countries per user (there are ~250); past this the least recently seen go. */
export const MAX_COUNTRIES_PER_USER = 60;
export const MAX_COUNTRIES = 10_000;

interface SessionRow {
  user_key: string;
  session_key: string;
  address: string;
  device: string | null;
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_km: number | null;
  first_seen: number;
  last_seen: number;
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toSession(r: SessionRow): SeenSession {
  return {
    user: r.user_key,
    session: r.session_key,
    address: r.address,
    device: orUndefined(r.device),
    country: orUndefined(r.country),
    city: orUndefined(r.city),
    latitude: orUndefined(r.latitude),
    longitude: orUndefined(r.longitude),
    accuracyKm: orUndefined(r.accuracy_km),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

export class AccountSignalRepository implements AccountSignalStore {
  constructor(private readonly db: Database) {}

  countries(user: string): ReadonlyMap<string, number> {
    const rows = this.db
      .prepare('SELECT country, first_seen FROM account_countries WHERE user_key = ?')
      .all(user) as { country: string; first_seen: number }[];
    return new Map(rows.map((r) => [r.country, r.first_seen]));
  }

  sessions(user: string, since: number): SeenSession[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM account_sessions WHERE user_key = ? AND last_seen >= ? ORDER BY last_seen DESC, session_key',
      )
      .all(user, since) as SessionRow[];
    return rows.map(toSession);
  }

  commit(scan: {
    now: number;
    countries: readonly UserCountry[];
    sessions: readonly SeenSession[];
    keepSessionsSince: number;
  }): void {
    const country = this.db.prepare(
      `INSERT INTO account_countries (user_key, country, first_seen, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_key, country) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)`,
    );
    const session = this.db.prepare(
      `INSERT INTO account_sessions (user_key, session_key, address, device, country, city, latitude,
         longitude, accuracy_km, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_key, session_key) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)`,
    );
    this.db.transaction(() => {
      for (const c of scan.countries) country.run(c.user, c.country, c.firstSeen, scan.now);
      for (const s of scan.sessions) {
        session.run(
          s.user,
          s.session,
          s.address,
          s.device ?? null,
          s.country ?? null,
          s.city ?? null,
          s.latitude ?? null,
          s.longitude ?? null,
          s.accuracyKm ?? null,
          s.firstSeen,
          s.lastSeen,
        );
      }
      this.prune(scan.keepSessionsSince);
    })();
  }

  /** By age, then per user and in total by count, least recently seen first. */
  private prune(keepSessionsSince: number): void {
    this.db.prepare('DELETE FROM account_sessions WHERE last_seen < ?').run(keepSessionsSince);
    this.keepNewest('account_sessions', 'session_key', MAX_SESSIONS_PER_USER, MAX_SESSIONS);
    this.keepNewest('account_countries', 'country', MAX_COUNTRIES_PER_USER, MAX_COUNTRIES);
  }

  /** Deletes all but the `perUser` most recently seen rows of each user, then all but `total`. */
  private keepNewest(
    table: 'account_sessions' | 'account_countries',
    tieBreak: 'session_key' | 'country',
    perUser: number,
    total: number,
  ): void {
    this.db
      .prepare(
        `DELETE FROM ${table} WHERE rowid IN (
           SELECT rowid FROM (SELECT rowid, ROW_NUMBER() OVER (PARTITION BY user_key
             ORDER BY last_seen DESC, ${tieBreak}) AS n FROM ${table}) WHERE n > ?)`,
      )
      .run(perUser);
    this.db
      .prepare(
        `DELETE FROM ${table} WHERE rowid IN (
           SELECT rowid FROM ${table} ORDER BY last_seen DESC, user_key, ${tieBreak} LIMIT -1 OFFSET ?)`,
      )
      .run(total);
  }
}
