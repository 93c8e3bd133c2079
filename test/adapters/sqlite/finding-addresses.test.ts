import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/adapters/sqlite/database.js';
import { FindingRepository } from '../../../src/adapters/sqlite/finding-repository.js';
import { migrations } from '../../../src/adapters/sqlite/migrations/index.js';
import { type FindingDraft, toFinding } from '../../../src/domain/finding.js';

const draft = (key: string, title: string, action?: FindingDraft['action']): FindingDraft => ({
  key,
  severity: 'high',
  title,
  evidence: 'user "10.0.0.99" tried 40 passwords',
  fix: 'approve the block',
  ...(action ? { action } : {}),
});

describe('FindingRepository.mentioning (finding_addresses, migration 11)', () => {
  let db: Database;
  let repo: FindingRepository;
  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = new FindingRepository(db);
  });
  afterEach(() => db.close());

  const apply = (...drafts: FindingDraft[]) =>
    repo.apply({
      runId: null,
      completedSources: [],
      findings: drafts.map((d) => toFinding('brute-force', d)),
      now: 1_000,
    });

  it('tells 10.0.0.1 from 10.0.0.12 and ignores addresses quoted in the evidence', () => {
    apply(
      draft('sshd:10.0.0.1', 'Failed sign-ins from 10.0.0.1 on sshd'),
      draft('sshd:10.0.0.12', 'Failed sign-ins from 10.0.0.12 on sshd'),
    );
    expect(repo.mentioning('10.0.0.1').map((f) => f.key)).toEqual(['sshd:10.0.0.1']);
    expect(repo.mentioning('10.0.0.12').map((f) => f.key)).toEqual(['sshd:10.0.0.12']);
    expect(repo.mentioning('10.0.0.99')).toEqual([]);
    expect(repo.countMentioning('10.0.0.1')).toBe(1);
  });

  it('matches IPv6 in any written form, and the address a suggested block targets', () => {
    apply(
      draft('plex:2001:db8::1', 'Probing from 2001:DB8:0:0::1 on plex'),
      draft('plex:2001:db8::10', 'Probing from 2001:db8::10 on plex'),
      draft('plex:range', 'Failed sign-ins from a network', {
        kind: 'block-ip',
        ip: '::ffff:203.0.113.9',
        durationMs: 60_000,
        reason: 'x',
      }),
    );
    expect(repo.mentioning('2001:db8::1').map((f) => f.key)).toEqual(['plex:2001:db8::1']);
    expect(repo.mentioning('2001:0db8:0000:0000:0000:0000:0000:0001').map((f) => f.key)).toEqual([
      'plex:2001:db8::1',
    ]);
    expect(repo.mentioning('2001:db8::10').map((f) => f.key)).toEqual(['plex:2001:db8::10']);
    expect(repo.mentioning('203.0.113.9').map((f) => f.key)).toEqual(['plex:range']);
    expect(repo.mentioning('not an address')).toEqual([]);
  });

  it('follows a title that names another address, and keeps resolved findings', () => {
    apply(draft('k', 'Failed sign-ins from 198.51.100.1'));
    apply(draft('k', 'Failed sign-ins from 198.51.100.2'));
    expect(repo.mentioning('198.51.100.1')).toEqual([]);
    expect(repo.mentioning('198.51.100.2').map((f) => f.key)).toEqual(['k']);
    repo.apply({ runId: null, completedSources: ['brute-force'], findings: [], now: 2_000 });
    expect(repo.mentioning('198.51.100.2').map((f) => f.status)).toEqual(['resolved']);
  });

  it('fills the index from the findings stored before the migration', () => {
    const old = openDatabase(':memory:', migrations.slice(0, 10));
    old
      .prepare(
        `INSERT INTO findings (fingerprint, check_id, severity, title, evidence, fix, action, status, first_seen_at, last_seen_at, changed_at)
         VALUES (?, 'probing', 'high', ?, '', '', ?, 'open', 1, 1, 1)`,
      )
      .run('probing:a', 'Probing from 10.0.0.1 on plex', null);
    old
      .prepare(
        `INSERT INTO findings (fingerprint, check_id, severity, title, evidence, fix, action, status, first_seen_at, last_seen_at, changed_at)
         VALUES (?, 'probing', 'high', ?, '', '', ?, 'open', 1, 1, 1)`,
      )
      .run('probing:b', 'Probing from 10.0.0.12 on plex', '{not json');
    migrations[10]?.up(old);
    const rows = old.prepare('SELECT ip, fingerprint FROM finding_addresses ORDER BY ip').all();
    expect(rows).toEqual([
      { ip: '10.0.0.1', fingerprint: 'probing:a' },
      { ip: '10.0.0.12', fingerprint: 'probing:b' },
    ]);
    old.close();
  });
});
