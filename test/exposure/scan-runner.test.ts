import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FindingChanges } from '../../src/adapters/sqlite/finding-repository.js';
import { planAlerts } from '../../src/alerts/alert-policy.js';
import type { AppContext } from '../../src/app/app-context.js';
import { type Check, CheckError, CheckSkipped } from '../../src/checks/types.js';
import { ScanInProgressError } from '../../src/exposure/scan-runner.js';
import type { Logger } from '../../src/kernel/logger.js';
import { captureLogger, entryWithReference } from '../harness/capture-logger.js';
import { tempDir, testContext, testEnv } from '../harness/test-env.js';

function check(id: string, run: Check['run'], timeoutMs?: number): Check {
  return { id, title: id, run, ...(timeoutMs ? { timeoutMs } : {}) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ScanRunner', () => {
  let dir: ReturnType<typeof tempDir>;
  let ctx: AppContext | undefined;
  const open = (checks: Check[], extra: Record<string, string> = {}, logger?: Logger) => {
    ctx = testContext(
      testEnv({
        databasePath: `${dir.path}/db.sqlite`,
        plexUrl: 'http://127.0.0.1:9',
        CHECK_TIMEOUT: '300ms',
        ...extra,
      }),
      logger ? { checks, logger } : { checks },
    );
    return ctx;
  };

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    ctx?.close();
    ctx = undefined;
    dir.remove();
  });

  it('a crashing check shows a reference under which the full error is logged; a CheckError its text', async () => {
    const { logger, entries } = captureLogger();
    const { runner } = open(
      [
        check('crashes', async () => {
          throw new TypeError('secret internals at /home/x');
        }),
        check('refuses', async () => {
          throw new CheckError('router did not answer');
        }),
      ],
      {},
      logger,
    );
    const result = await runner.run({ trigger: 'cli' });
    const found = (id: string) => result.findings.find((f) => f.checkId === id);
    const evidence = (id: string) => found(id)?.evidence ?? '';
    const reference = /reference ([0-9a-f]{8})/.exec(found('crashes')?.fix ?? '')?.[1];
    expect(evidence('crashes')).toBe('unexpected error (the full error is in the log)');
    expect(JSON.stringify(found('crashes'))).not.toContain('secret internals');
    expect(entryWithReference(entries, reference)).toMatchObject({
      level: 'error',
      check: 'crashes',
      error: { message: 'secret internals at /home/x' },
    });
    expect(evidence('refuses')).toBe('router did not answer');
  });

  it('the same crash in two scans is one alert: the fresh reference is never compared', async () => {
    const { logger, entries } = captureLogger();
    const { runner, repos, config, clock } = open(
      [
        check('crashes', async () => {
          throw new TypeError('boom');
        }),
      ],
      {},
      logger,
    );
    const alerts = (changes: FindingChanges) => {
      const plan = planAlerts(changes, {
        findings: repos.findings,
        now: clock.now(),
        renotifyMs: config.exposure.criticalRenotifyMs,
      });
      return plan.changes.opened.length + plan.changes.changed.length + plan.reminders.length;
    };
    const first = await runner.run({ trigger: 'cli' });
    const second = await runner.run({ trigger: 'cli' });
    expect(alerts(first.changes)).toBe(1);
    expect(second.changes).toEqual({ opened: [], changed: [], resolved: [] });
    expect(alerts(second.changes)).toBe(0);
    // Each crash is logged under its own reference, and the finding points at the latest one.
    const references = entries.flatMap((e) => (typeof e.reference === 'string' ? [e.reference] : []));
    expect(new Set(references).size).toBe(2);
    expect(repos.findings.get('crashes:could-not-run')?.fix).toContain(`reference ${references[1]}`);
  });

  it('runs checks in parallel and bounds a hanging check by its timeout', async () => {
    const { runner } = open([
      check('hangs', () => new Promise(() => undefined)),
      check('slow', async () => {
        await sleep(200);
        return [{ key: 'k', severity: 'medium', title: 'slow finding', evidence: 'e', fix: 'f' }];
      }),
      check('fast', async () => []),
    ]);
    const started = performance.now();
    const result = await runner.run({ trigger: 'cli' });
    const elapsed = performance.now() - started;
    // Bounded by the slowest timeout (300 ms), not the sum of the checks.
    expect(elapsed).toBeLessThan(1_500);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['hangs', 'timeout'],
      ['slow', 'ok'],
      ['fast', 'ok'],
    ]);
    expect(result.findings.map((f) => f.fingerprint).sort()).toEqual(['hangs:timed-out', 'slow:k']);
  });

  it('passes an abort signal that fires when the check times out', async () => {
    let aborted = false;
    const { runner } = open([
      check(
        'listens',
        (c) =>
          new Promise((resolve) =>
            c.signal.addEventListener('abort', () => {
              aborted = true;
              resolve([]);
            }),
          ),
      ),
    ]);
    await runner.run({ trigger: 'cli' });
    expect(aborted).toBe(true);
  });

  it('never runs two scans at once', async () => {
    const { runner } = open([
      check('slow', async () => {
        await sleep(100);
        return [];
      }),
    ]);
    const first = runner.run({ trigger: 'schedule' });
    await expect(runner.run({ trigger: 'command' })).rejects.toBeInstanceOf(ScanInProgressError);
    await first;
    await expect(runner.run({ trigger: 'command' })).resolves.toMatchObject({ trigger: 'command' });
  });

  it('reports new, changed and resolved findings across runs, and persists them', async () => {
    let severity: 'medium' | 'high' = 'medium';
    let present = true;
    const { runner, repos } = open([
      check('flip', async () =>
        present
          ? [{ key: 'x', severity, title: 'X is open', evidence: `sev ${severity}`, fix: 'close X' }]
          : [],
      ),
    ]);
    const first = await runner.run({ trigger: 'cli' });
    expect(first.changes.opened.map((f) => f.fingerprint)).toEqual(['flip:x']);
    const second = await runner.run({ trigger: 'cli' });
    expect(second.changes.opened).toHaveLength(0);
    expect(second.changes.changed).toHaveLength(0);
    severity = 'high';
    const third = await runner.run({ trigger: 'cli' });
    expect(third.changes.changed).toEqual([expect.objectContaining({ previousSeverity: 'medium' })]);
    present = false;
    const fourth = await runner.run({ trigger: 'cli' });
    expect(fourth.changes.resolved.map((f) => f.fingerprint)).toEqual(['flip:x']);
    expect(repos.findings.open()).toHaveLength(0);
    present = true;
    const fifth = await runner.run({ trigger: 'cli' });
    expect(fifth.changes.opened.map((f) => f.fingerprint)).toEqual(['flip:x']);
    expect(repos.scanRuns.latest()?.id).toBe(fifth.runId);
  });

  it('keeps findings of a check that failed or was skipped open (unknown is not fixed)', async () => {
    let mode: 'find' | 'fail' | 'skip' | 'crash' = 'find';
    const { runner, repos } = open([
      check('flaky', async () => {
        if (mode === 'fail') throw new CheckError('router did not answer');
        if (mode === 'skip') throw new CheckSkipped('plex down');
        if (mode === 'crash') throw new TypeError('secret internals at /home/x');
        return [{ key: 'a', severity: 'high', title: 'A', evidence: 'a', fix: 'a' }];
      }),
    ]);
    await runner.run({ trigger: 'cli' });
    mode = 'fail';
    const failed = await runner.run({ trigger: 'cli' });
    expect(failed.changes.resolved).toHaveLength(0);
    expect(failed.findings).toEqual([
      expect.objectContaining({ fingerprint: 'flaky:could-not-run', evidence: 'router did not answer' }),
    ]);
    mode = 'skip';
    const skipped = await runner.run({ trigger: 'cli' });
    expect(skipped.findings).toHaveLength(0);
    expect(skipped.changes.resolved).toHaveLength(0);
    mode = 'crash';
    const crashed = await runner.run({ trigger: 'cli' });
    const evidence = crashed.findings[0]?.evidence ?? '';
    expect(evidence).toBe('unexpected error (the full error is in the log)');
    expect(crashed.findings[0]?.fix).toMatch(/reference [0-9a-f]{8}/);
    expect(JSON.stringify(crashed.findings)).not.toContain('secret internals');
    expect(repos.findings.get('flaky:a')?.status).toBe('open');
    mode = 'find';
    const back = await runner.run({ trigger: 'cli' });
    expect(back.changes.resolved.map((f) => f.fingerprint)).toEqual(['flaky:could-not-run']);
  });

  it('runs only the requested check and rejects unknown ids with the known list', async () => {
    const ran: string[] = [];
    const { runner } = open([
      check('one', async () => {
        ran.push('one');
        return [];
      }),
      check('two', async () => {
        ran.push('two');
        return [];
      }),
    ]);
    await runner.run({ trigger: 'cli', checkIds: ['two'] });
    expect(ran).toEqual(['two']);
    await expect(runner.run({ trigger: 'cli', checkIds: ['nope'] })).rejects.toThrow(
      /Unknown check "nope".*one, two/,
    );
  });

  it('shares a value between checks of one scan, and recomputes it for the next scan', async () => {
    let computed = 0;
    const shared: Check['run'] = async (c) => {
      await c.shared.once('thing', async () => ++computed);
      return [];
    };
    const { runner } = open([check('a', shared), check('b', shared)]);
    await runner.run({ trigger: 'cli' });
    expect(computed).toBe(1);
    await runner.run({ trigger: 'cli' });
    expect(computed).toBe(2);
  });

  it('marks a scan left running by a crash as abandoned on the next start', async () => {
    const first = open([]);
    const id = first.repos.scanRuns.start('schedule', ['x'], 1);
    first.close();
    const second = open([]);
    expect(second.repos.scanRuns.get(id)?.status).toBe('abandoned');
  });
});
