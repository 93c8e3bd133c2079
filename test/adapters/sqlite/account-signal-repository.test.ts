import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountSignalRepository,
  MAX_COUNTRIES_PER_USER,
  MAX_SESSIONS,
  MAX_SESSIONS_PER_USER,
} from '../../../src/adapters/sqlite/account-signal-repository.js';
import type { Database } from '../../../src/adapters/sqlite/database.js';
import type { SeenSession } from '../../../src/domain/account-signals.js';
import { openTestDatabase } from '../../harness/log-db.js';
import { tempDir } from '../../harness/test-env.js';

const seen = (user: string, n: number, at: number): SeenSession => ({
  user,
  session: `s${n}`,
  address: `198.51.100.${n % 250}`,
  device: undefined,
  country: 'GB',
  city: 'London',
  latitude: 51.5,
  longitude: -0.1,
  accuracyKm: 10,
  firstSeen: at,
  lastSeen: at,
});

describe('AccountSignalRepository', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let repo: AccountSignalRepository;
  beforeEach(() => {
    dir = tempDir();
    db = openTestDatabase(`${dir.path}/db.sqlite`);
    repo = new AccountSignalRepository(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('keeps a country first seen once, and a session first seen once while its last seen moves on', () => {
    repo.commit({
      now: 10,
      countries: [{ user: 'id:7', country: 'GB', firstSeen: 0 }],
      sessions: [seen('id:7', 1, 10)],
      keepSessionsSince: 0,
    });
    repo.commit({
      now: 20,
      countries: [{ user: 'id:7', country: 'GB', firstSeen: 20 }],
      sessions: [{ ...seen('id:7', 1, 20), firstSeen: 20 }],
      keepSessionsSince: 0,
    });
    expect(repo.countries('id:7')).toEqual(new Map([['GB', 0]]));
    expect(repo.sessions('id:7', 0)).toEqual([{ ...seen('id:7', 1, 10), lastSeen: 20 }]);
    expect(repo.sessions('id:7', 21)).toEqual([]);
    expect(repo.countries('id:8').size).toBe(0);
  });

  it('stores a session without a place as such (no city data)', () => {
    const bare = {
      ...seen('id:7', 1, 5),
      city: undefined,
      latitude: undefined,
      longitude: undefined,
      accuracyKm: undefined,
      country: undefined,
    };
    repo.commit({ now: 5, countries: [], sessions: [bare], keepSessionsSince: 0 });
    expect(repo.sessions('id:7', 0)).toEqual([bare]);
  });

  it('is bounded: by age, per user and in total', () => {
    const many = Array.from({ length: MAX_SESSIONS_PER_USER + 5 }, (_, i) => seen('id:1', i, 1_000 + i));
    repo.commit({ now: 2_000, countries: [], sessions: many, keepSessionsSince: 0 });
    const kept = repo.sessions('id:1', 0);
    expect(kept).toHaveLength(MAX_SESSIONS_PER_USER);
    // The most recent ones stay.
    expect(kept[0]?.session).toBe(`s${MAX_SESSIONS_PER_USER + 4}`);
    repo.commit({ now: 3_000, countries: [], sessions: [], keepSessionsSince: 1_010 });
    expect(repo.sessions('id:1', 0).every((s) => s.lastSeen >= 1_010)).toBe(true);

    const users = Array.from({ length: MAX_SESSIONS / 10 + 10 }, (_, u) =>
      Array.from({ length: 10 }, (_, i) => seen(`id:${u + 100}`, i, 5_000 + u)),
    ).flat();
    repo.commit({ now: 6_000, countries: [], sessions: users, keepSessionsSince: 0 });
    const total = db.prepare('SELECT COUNT(*) AS n FROM account_sessions').get() as { n: number };
    expect(total.n).toBe(MAX_SESSIONS);

    const countries = Array.from({ length: MAX_COUNTRIES_PER_USER + 3 }, (_, i) => ({
      user: 'id:9',
      country: `C${i}`,
      firstSeen: 0,
    }));
    repo.commit({ now: 7_000, countries, sessions: [], keepSessionsSince: 0 });
    expect(repo.countries('id:9').size).toBe(MAX_COUNTRIES_PER_USER);
  });
});
