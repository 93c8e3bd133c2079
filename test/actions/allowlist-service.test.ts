import { afterEach, describe, expect, it } from 'vitest';
import { AllowlistService } from '../../src/actions/allowlist-service.js';
import { createRepositories, type Database } from '../../src/adapters/sqlite/index.js';
import { openTestDatabase } from '../harness/actions-fixture.js';
import { ManualClock } from '../harness/manual-clock.js';

describe('AllowlistService', () => {
  const dbs: Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });

  const make = () => {
    const db = openTestDatabase();
    dbs.push(db);
    const repos = createRepositories(db);
    const service = new AllowlistService({
      allowlist: repos.allowlist,
      audit: repos.audit,
      transaction: repos.transaction,
      clock: new ManualClock(Date.UTC(2026, 0, 1)),
    });
    return { db, repos, service };
  };

  it('adds the entry and its audit row, then updates the note with an audit row of its own', () => {
    const { repos, service } = make();
    expect(service.add({ cidr: '203.0.113.7/32', note: 'office', actor: '500000000000000005' })).toEqual({
      isNew: true,
    });
    expect(service.add({ cidr: '203.0.113.7/32', note: 'work', actor: '500000000000000006' })).toEqual({
      isNew: false,
    });
    expect(service.all()).toEqual([
      { cidr: '203.0.113.7/32', note: 'work', addedBy: '500000000000000006', addedAt: Date.UTC(2026, 0, 1) },
    ]);
    expect(
      repos.audit
        .recent(5)
        .reverse()
        .map((e) => [e.action, e.actor, e.target, e.detail]),
    ).toEqual([
      ['allowlist.added', '500000000000000005', '203.0.113.7/32', 'office'],
      ['allowlist.updated', '500000000000000006', '203.0.113.7/32', 'work'],
    ]);
  });

  it('a failing audit insert leaves no entry: both commit together or neither does', () => {
    const { db, repos, service } = make();
    // A real SQLite failure on the audit insert (as a full disk or a constraint would give).
    db.exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END`);
    expect(() =>
      service.add({ cidr: '203.0.113.7/32', note: 'office', actor: '500000000000000005' }),
    ).toThrow(/audit refused/);
    expect(service.all()).toEqual([]);
    expect(service.cidrs()).toEqual([]);
    expect(repos.audit.recent(5)).toEqual([]);
  });

  it('a failing update keeps the old note', () => {
    const { db, service } = make();
    service.add({ cidr: '198.51.100.0/24', note: 'cabin', actor: '500000000000000005' });
    db.exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END`);
    expect(() =>
      service.add({ cidr: '198.51.100.0/24', note: 'gone', actor: '500000000000000006' }),
    ).toThrow();
    expect(service.all().map((e) => e.note)).toEqual(['cabin']);
  });
});
