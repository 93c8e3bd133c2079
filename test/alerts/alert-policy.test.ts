import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRepositories,
  type Database,
  openDatabase,
  type Repositories,
} from '../../src/adapters/sqlite/index.js';
import { planAlerts } from '../../src/alerts/alert-policy.js';
import { type FindingDraft, toFinding } from '../../src/domain/finding.js';
import { tempDir } from '../harness/test-env.js';

const HOUR = 3_600_000;
const draft = (key: string, severity: FindingDraft['severity'], evidence = 'e'): FindingDraft => ({
  key,
  severity,
  title: key,
  evidence,
  fix: 'f',
});

describe('planAlerts', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let repos: Repositories;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(`${dir.path}/db.sqlite`);
    repos = createRepositories(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const apply = (drafts: FindingDraft[], now: number) =>
    repos.findings.apply({
      runId: null,
      completedSources: ['c'],
      findings: drafts.map((d) => toFinding('c', d)),
      now,
    });
  const plan = (changes: ReturnType<typeof apply>, now: number) =>
    planAlerts(changes, { findings: repos.findings, now, renotifyMs: 6 * HOUR });

  it('drops info (new and resolved) and snoozed findings, keeps the rest', () => {
    const first = plan(apply([draft('a', 'info'), draft('b', 'high'), draft('c', 'low')], 0), 0);
    expect(first.changes.opened.map((f) => f.key)).toEqual(['b', 'c']);
    expect(first.notified).toEqual(['c:b', 'c:c']);
    repos.findings.snooze('c:c', 10 * HOUR);
    const second = plan(apply([draft('b', 'high', 'changed')], HOUR), HOUR);
    expect(second.changes.changed.map((c) => c.finding.key)).toEqual(['b']);
    // a (info) and c (snoozed) resolved: neither is pushed.
    expect(second.changes.resolved).toEqual([]);
  });

  it('reminds of a critical finding after the interval, not before, and never while snoozed', () => {
    const opened = plan(apply([draft('x', 'critical')], 0), 0);
    repos.findings.markNotified(opened.notified, 0);
    expect(plan(apply([draft('x', 'critical')], 5 * HOUR), 5 * HOUR).reminders).toEqual([]);
    const due = plan(apply([draft('x', 'critical')], 6 * HOUR), 6 * HOUR);
    expect(due.reminders.map((f) => f.fingerprint)).toEqual(['c:x']);
    expect(due.notified).toEqual(['c:x']);
    repos.findings.snooze('c:x', 20 * HOUR);
    expect(plan(apply([draft('x', 'critical')], 12 * HOUR), 12 * HOUR).reminders).toEqual([]);
    expect(plan(apply([draft('x', 'critical')], 20 * HOUR), 20 * HOUR).reminders).toHaveLength(1);
  });
});
