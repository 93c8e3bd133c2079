import type { SuggestedActions } from '../actions/suggested-actions.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import type { AppContext } from '../domain/app-context.js';
import { logError } from '../kernel/errors.js';
import type { JobDefinition } from '../kernel/job.js';
import { ScanInProgressError, ScanStoppedError } from './scan-runner.js';

/**
 * Runs a scan and posts one digest of what changed. Quiet when nothing changed. A scan that is
 * already running (someone typed /scan) is not doubled: this round is skipped.
 */
export async function runScheduledScan(
  ctx: AppContext,
  alerts: AlertOutbox,
  suggestions?: SuggestedActions,
): Promise<void> {
  try {
    const result = await ctx.runner.run({ trigger: 'schedule' });
    await publishChanges(ctx, alerts, result.changes, `Scan #${result.runId}`);
    // Account findings suggest a sign-out or a share removal: a proposal each, after the digest.
    if (suggestions && result.changes.opened.length > 0)
      await suggestions.proposeSuggestedActions(result.changes.opened);
  } catch (error) {
    if (error instanceof ScanInProgressError) {
      ctx.logger.info('scheduled scan skipped: another scan is running');
      return;
    }
    if (error instanceof ScanStoppedError) {
      ctx.logger.info('scheduled scan stopped by shutdown; the next start scans again');
      return;
    }
    logError(error, ctx.logger, { during: 'in the scheduled scan' });
  }
}

/** The scan job: SCAN_SCHEDULE's times, one round at a time (the scheduler never overlaps it). */
export function scanJob(ctx: AppContext, alerts: AlertOutbox, suggestions?: SuggestedActions): JobDefinition {
  return {
    name: 'scan',
    schedule: { kind: 'cron', expression: ctx.config.core.scanSchedule },
    run: async () => {
      await runScheduledScan(ctx, alerts, suggestions);
      return 'done';
    },
  };
}
