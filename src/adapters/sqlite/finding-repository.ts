import { type Finding, isSeverity, type Severity, SuggestedActionSchema } from '../../domain/finding.js';
import { normalizeIp } from '../../net/ip.js';
import type { Database } from './database.js';
import { findingAddresses } from './finding-addresses.js';
import { parseStoredJson } from './stored-json.js';

export interface StoredFinding extends Finding {
  readonly status: 'open' | 'resolved';
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly changedAt: number;
  readonly resolvedAt: number | null;
  readonly notifiedAt: number | null;
  readonly snoozedUntil: number | null;
}

export interface ChangedFinding {
  readonly finding: Finding;
  readonly previousSeverity: Severity;
  readonly previousEvidence: string;
}

/** What one scan or review changed, for alerting. `opened` includes findings that came back. */
export interface FindingChanges {
  readonly opened: readonly Finding[];
  readonly changed: readonly ChangedFinding[];
  readonly resolved: readonly StoredFinding[];
}

interface RawFinding {
  fingerprint: string;
  check_id: string;
  severity: string;
  title: string;
  evidence: string;
  fix: string;
  action: string | null;
  status: 'open' | 'resolved';
  first_seen_at: number;
  last_seen_at: number;
  changed_at: number;
  resolved_at: number | null;
  notified_at: number | null;
  snoozed_until: number | null;
}

function toStored(raw: RawFinding): StoredFinding {
  const action = raw.action
    ? parseStoredJson(raw.action, SuggestedActionSchema, 'findings', raw.fingerprint)
    : undefined;
  const key = raw.fingerprint.startsWith(`${raw.check_id}:`)
    ? raw.fingerprint.slice(raw.check_id.length + 1)
    : raw.fingerprint;
  return {
    fingerprint: raw.fingerprint,
    checkId: raw.check_id,
    key,
    severity: isSeverity(raw.severity) ? raw.severity : 'medium',
    title: raw.title,
    evidence: raw.evidence,
    fix: raw.fix,
    ...(action ? { action } : {}),
    status: raw.status,
    firstSeenAt: raw.first_seen_at,
    lastSeenAt: raw.last_seen_at,
    changedAt: raw.changed_at,
    resolvedAt: raw.resolved_at,
    notifiedAt: raw.notified_at,
    snoozedUntil: raw.snoozed_until,
  };
}

export interface ApplyInput {
  /** The scan run this belongs to; null for sources without runs (log review). */
  readonly runId: number | null;
  /**
   * Sources (check ids, detector ids) that completed: their open findings that are absent from
   * `findings` are resolved. A source that failed keeps its findings open: unknown is not fixed.
   */
  readonly completedSources: readonly string[];
  readonly findings: readonly Finding[];
  readonly now: number;
}

export class FindingRepository {
  constructor(private readonly db: Database) {}

  /** Records a batch of findings and returns what changed; one transaction. */
  apply(input: ApplyInput): FindingChanges {
    return this.db.transaction(() => this.applyNow(input))();
  }

  private applyNow({ runId, completedSources, findings, now }: ApplyInput): FindingChanges {
    const select = this.db.prepare('SELECT * FROM findings WHERE fingerprint = ?');
    const insert = this.db.prepare(
      `INSERT INTO findings (fingerprint, check_id, severity, title, evidence, fix, action, status, first_seen_at, last_seen_at, changed_at, last_run_id)
       VALUES (@fingerprint, @checkId, @severity, @title, @evidence, @fix, @action, 'open', @now, @now, @now, @runId)`,
    );
    const reopen = this.db.prepare(
      `UPDATE findings SET severity = @severity, title = @title, evidence = @evidence, fix = @fix, action = @action, status = 'open',
         last_seen_at = @now, changed_at = @now, resolved_at = NULL, notified_at = NULL, last_run_id = @runId WHERE fingerprint = @fingerprint`,
    );
    const seen = this.db.prepare(
      `UPDATE findings SET severity = @severity, title = @title, evidence = @evidence, fix = @fix, action = @action,
         last_seen_at = @now, changed_at = CASE WHEN @changed THEN @now ELSE changed_at END, last_run_id = @runId WHERE fingerprint = @fingerprint`,
    );
    const event = this.db.prepare(
      'INSERT INTO finding_events (run_id, fingerprint, kind, severity, at) VALUES (?, ?, ?, ?, ?)',
    );
    const forget = this.db.prepare('DELETE FROM finding_addresses WHERE fingerprint = ?');
    const about = this.db.prepare('INSERT OR IGNORE INTO finding_addresses (ip, fingerprint) VALUES (?, ?)');

    const opened: Finding[] = [];
    const changed: ChangedFinding[] = [];
    const present = new Set<string>();
    for (const finding of findings) {
      if (present.has(finding.fingerprint)) continue;
      present.add(finding.fingerprint);
      const params = {
        fingerprint: finding.fingerprint,
        checkId: finding.checkId,
        severity: finding.severity,
        title: finding.title,
        evidence: finding.evidence,
        fix: finding.fix,
        action: finding.action ? JSON.stringify(finding.action) : null,
        now,
        runId,
      };
      const existing = select.get(finding.fingerprint) as RawFinding | undefined;
      const index = () => {
        forget.run(finding.fingerprint);
        for (const ip of findingAddresses(finding.title, params.action)) about.run(ip, finding.fingerprint);
      };
      if (!existing) {
        insert.run(params);
        index();
        event.run(runId, finding.fingerprint, 'new', finding.severity, now);
        opened.push(finding);
      } else if (existing.status === 'resolved') {
        reopen.run(params);
        index();
        event.run(runId, finding.fingerprint, 'reopened', finding.severity, now);
        opened.push(finding);
      } else {
        const isChanged = existing.severity !== finding.severity || existing.evidence !== finding.evidence;
        seen.run({ ...params, changed: isChanged ? 1 : 0 });
        if (existing.title !== finding.title || existing.action !== params.action) index();
        if (isChanged) {
          event.run(runId, finding.fingerprint, 'changed', finding.severity, now);
          changed.push({
            finding,
            previousSeverity: toStored(existing).severity,
            previousEvidence: existing.evidence,
          });
        }
      }
    }

    const resolved: StoredFinding[] = [];
    if (completedSources.length > 0) {
      const placeholders = completedSources.map(() => '?').join(',');
      const open = this.db
        .prepare(`SELECT * FROM findings WHERE status = 'open' AND check_id IN (${placeholders})`)
        .all(...completedSources) as RawFinding[];
      const resolve = this.db.prepare(
        "UPDATE findings SET status = 'resolved', resolved_at = ?, changed_at = ?, last_run_id = ? WHERE fingerprint = ?",
      );
      for (const raw of open) {
        if (present.has(raw.fingerprint)) continue;
        resolve.run(now, now, runId, raw.fingerprint);
        event.run(runId, raw.fingerprint, 'resolved', raw.severity, now);
        resolved.push({ ...toStored(raw), status: 'resolved', resolvedAt: now });
      }
    }
    return { opened, changed, resolved };
  }

  open(): StoredFinding[] {
    const rows = this.db.prepare("SELECT * FROM findings WHERE status = 'open'").all() as RawFinding[];
    return rows.map(toStored).sort(bySeverityThenTitle);
  }

  /**
   * Findings, open and past, about this address (any form: `2001:DB8::1`, `::ffff:10.0.0.1`),
   * newest first. Exact: 10.0.0.1 does not find the findings of 10.0.0.12 (finding_addresses).
   */
  mentioning(ip: string, limit = 20): StoredFinding[] {
    const canonical = normalizeIp(ip);
    if (canonical === undefined) return [];
    const rows = this.db
      .prepare(
        `SELECT f.* FROM finding_addresses a JOIN findings f ON f.fingerprint = a.fingerprint
         WHERE a.ip = ? ORDER BY f.last_seen_at DESC LIMIT ?`,
      )
      .all(canonical, limit) as RawFinding[];
    return rows.map(toStored);
  }

  /** How many findings, open and past, are about this address (mentioning shows at most its limit). */
  countMentioning(ip: string): number {
    const canonical = normalizeIp(ip);
    if (canonical === undefined) return 0;
    const row = this.db
      .prepare('SELECT count(*) AS n FROM finding_addresses WHERE ip = ?')
      .get(canonical) as {
      n: number;
    };
    return row.n;
  }

  get(fingerprint: string): StoredFinding | undefined {
    const raw = this.db.prepare('SELECT * FROM findings WHERE fingerprint = ?').get(fingerprint) as
      | RawFinding
      | undefined;
    return raw ? toStored(raw) : undefined;
  }

  markNotified(fingerprints: readonly string[], now: number): void {
    const update = this.db.prepare('UPDATE findings SET notified_at = ? WHERE fingerprint = ?');
    this.db.transaction(() => {
      for (const fingerprint of fingerprints) update.run(now, fingerprint);
    })();
  }

  /**
   * Open findings of a severity whose last notification is older than `notifiedBefore` (or that
   * were never notified), and that are not snoozed at `now`: due for a reminder.
   */
  dueForReminder(severity: Severity, notifiedBefore: number, now: number): StoredFinding[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM findings WHERE status = 'open' AND severity = ?
           AND (notified_at IS NULL OR notified_at <= ?) AND (snoozed_until IS NULL OR snoozed_until <= ?)
         ORDER BY first_seen_at`,
      )
      .all(severity, notifiedBefore, now) as RawFinding[];
    return rows.map(toStored);
  }

  snooze(fingerprint: string, until: number | null): boolean {
    return (
      this.db.prepare('UPDATE findings SET snoozed_until = ? WHERE fingerprint = ?').run(until, fingerprint)
        .changes === 1
    );
  }
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function bySeverityThenTitle(a: Finding, b: Finding): number {
  return RANK[a.severity] - RANK[b.severity] || a.title.localeCompare(b.title);
}
