import { setMaxListeners } from 'node:events';
import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { ScanTrigger } from '../adapters/sqlite/scan-run-repository.js';
import type { Check, CheckContext, CheckDeps, ScanShared } from '../checks/types.js';
import { CheckSkipped } from '../checks/types.js';
import { type Finding, type FindingDraft, toFinding } from '../domain/finding.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import { presentError, UserError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import { scanShared } from './scan-shared.js';

export type CheckStatus = 'ok' | 'failed' | 'timeout' | 'skipped';

export interface CheckOutcome {
  readonly id: string;
  readonly status: CheckStatus;
  readonly durationMs: number;
  readonly findings: number;
}

export interface ScanResult {
  readonly runId: number;
  readonly trigger: ScanTrigger;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly checks: readonly CheckOutcome[];
  /** Everything this scan found, including "could not run" findings. */
  readonly findings: readonly Finding[];
  readonly changes: FindingChanges;
}

export interface RunningScan {
  readonly runId: number;
  readonly trigger: ScanTrigger;
  readonly startedAt: number;
}

export class ScanInProgressError extends UserError {
  constructor(running: RunningScan) {
    super(
      `A scan (#${running.runId}, started by ${running.trigger}) is already running; wait for it to finish.`,
    );
  }
}

/** The scan was stopped (shutdown) before it finished; nothing of it was recorded as findings. */
export class ScanStoppedError extends UserError {
  constructor() {
    super('The scan was stopped before it finished.');
  }
}

export interface ScanRunnerDeps {
  readonly checks: readonly Check[];
  readonly checkDeps: CheckDeps;
  readonly repos: Repositories;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
}

/**
 * Owns everything around the checks: parallel execution, a bound on each check, never two
 * scans at once, persistence of the run and its findings, and what changed since last time.
 */
export class ScanRunner {
  private running: { info: RunningScan; abort: AbortController; done: Promise<unknown> } | null = null;

  constructor(private readonly deps: ScanRunnerDeps) {}

  get checkIds(): string[] {
    return this.deps.checks.map((c) => c.id);
  }

  get current(): RunningScan | null {
    return this.running?.info ?? null;
  }

  /** Throws ScanInProgressError if a scan runs, UserError for an unknown check id. */
  async run(options: { trigger: ScanTrigger; checkIds?: readonly string[] }): Promise<ScanResult> {
    if (this.running) throw new ScanInProgressError(this.running.info);
    const checks = this.select(options.checkIds);
    const { repos, clock } = this.deps;
    const startedAt = clock.now();
    const runId = repos.scanRuns.start(
      options.trigger,
      checks.map((c) => c.id),
      startedAt,
    );
    const abort = new AbortController();
    // Every check listens on the scan's signal; a dozen checks is normal, not a leak.
    setMaxListeners(0, abort.signal);
    const info: RunningScan = { runId, trigger: options.trigger, startedAt };
    const done = this.execute(info, checks, abort.signal);
    this.running = { info, abort, done };
    try {
      return await done;
    } finally {
      this.running = null;
    }
  }

  /** Stops the running scan (if any) and waits until it has settled; used at shutdown. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.abort.abort(new Error('scan stopped'));
    await running.done.catch(() => undefined);
  }

  private select(checkIds: readonly string[] | undefined): readonly Check[] {
    if (!checkIds || checkIds.length === 0) return this.deps.checks;
    const unknown = checkIds.filter((id) => !this.deps.checks.some((c) => c.id === id));
    if (unknown.length > 0) {
      throw new UserError(
        `Unknown check ${unknown.map((id) => `"${id}"`).join(', ')}. Known checks: ${this.checkIds.join(', ')}.`,
      );
    }
    return this.deps.checks.filter((c) => checkIds.includes(c.id));
  }

  private async execute(
    info: RunningScan,
    checks: readonly Check[],
    signal: AbortSignal,
  ): Promise<ScanResult> {
    const { repos, clock } = this.deps;
    const logger = this.deps.logger.child({ runId: info.runId });
    const shared = scanShared();
    try {
      const settled = await Promise.all(checks.map((check) => this.runOne(check, shared, signal, logger)));
      if (signal.aborted) throw new ScanStoppedError();
      const findings = settled.flatMap((s) => s.findings);
      const completed = settled.filter((s) => s.outcome.status === 'ok').map((s) => s.outcome.id);
      const finishedAt = clock.now();
      const changes = repos.findings.apply({
        runId: info.runId,
        completedSources: completed,
        findings,
        now: finishedAt,
      });
      const outcomes = settled.map((s) => s.outcome);
      repos.scanRuns.finish(info.runId, finishedAt, summarize(outcomes, findings));
      logger.info('scan finished', {
        trigger: info.trigger,
        durationMs: finishedAt - info.startedAt,
        findings: findings.length,
        opened: changes.opened.length,
        changed: changes.changed.length,
        resolved: changes.resolved.length,
      });
      return { ...info, finishedAt, checks: outcomes, findings, changes };
    } catch (error) {
      repos.scanRuns.abandon(info.runId, clock.now());
      throw error;
    }
  }

  private async runOne(
    check: Check,
    shared: ScanShared,
    scanSignal: AbortSignal,
    scanLogger: Logger,
  ): Promise<{ outcome: CheckOutcome; findings: Finding[] }> {
    const { clock, repos } = this.deps;
    const timeoutMs = Math.min(check.timeoutMs ?? this.deps.defaultTimeoutMs, this.deps.defaultTimeoutMs);
    const logger = scanLogger.child({ check: check.id });
    const abort = new AbortController();
    const onScanAbort = () => abort.abort(scanSignal.reason);
    scanSignal.addEventListener('abort', onScanAbort, { once: true });
    const started = performance.now();
    const ctx: CheckContext = {
      ...this.deps.checkDeps,
      logger,
      signal: abort.signal,
      shared,
      state: repos.checkState.forCheck(check.id, () => clock.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const finish = (status: CheckStatus, drafts: readonly FindingDraft[]) => {
      const findings = drafts.map((d) => toFinding(check.id, d));
      return {
        outcome: {
          id: check.id,
          status,
          durationMs: Math.round(performance.now() - started),
          findings: findings.length,
        },
        findings,
      };
    };
    try {
      const result = await Promise.race([check.run(ctx), timeout]);
      if (result === 'timeout') {
        abort.abort(new Error(`check ${check.id} timed out`));
        logger.warn('check timed out', { timeoutMs });
        return finish('timeout', [
          {
            key: 'timed-out',
            severity: 'low',
            title: `Check ${check.id} did not finish in time`,
            evidence: `No result within ${formatDuration(timeoutMs)}; whatever it checks is unknown this time.`,
            fix: 'Look at what the check talks to (Plex, the router, the internet); raise CHECK_TIMEOUT if it is just slow.',
          },
        ]);
      }
      return finish('ok', result);
    } catch (error) {
      if (error instanceof CheckSkipped) {
        logger.debug('check skipped', { reason: error.message });
        return finish('skipped', []);
      }
      if (scanSignal.aborted) return finish('failed', []);
      const { text: reason, reference } = presentError(error, logger, { during: 'running a check' });
      if (reference === undefined) logger.warn('check could not run', { reason });
      // The finding lifecycle calls a finding changed when its severity or evidence differs
      // (FindingRepository.apply), and every crash gets a fresh reference: in the evidence it would
      // re-alert the same crash on every scan. The evidence stays the same; the reference, new
      // each time, goes in the fix line (stored and shown, never compared) and in the log.
      return finish('failed', [
        {
          key: 'could-not-run',
          severity: 'low',
          title: `Check ${check.id} could not run`,
          evidence: reference === undefined ? reason : 'unexpected error (the full error is in the log)',
          fix:
            reference === undefined
              ? 'Fix the cause named in the evidence; the check runs again with the next scan.'
              : `Look in the log for reference ${reference} (latest scan); the check runs again with the next scan.`,
        },
      ]);
    } finally {
      clearTimeout(timer);
      scanSignal.removeEventListener('abort', onScanAbort);
    }
  }
}

function summarize(outcomes: readonly CheckOutcome[], findings: readonly Finding[]): string {
  const failed = outcomes.filter((o) => o.status !== 'ok' && o.status !== 'skipped').length;
  return `${outcomes.length} checks, ${findings.length} findings${failed > 0 ? `, ${failed} could not run` : ''}`;
}
