import type { SuggestedActions } from '../actions/suggested-actions.js';
import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import type { AppContext } from '../domain/app-context.js';
import { toFinding } from '../domain/finding.js';
import { logError } from '../kernel/errors.js';
import type { JobDefinition } from '../kernel/job.js';
import { LOG_REVIEW_SOURCE, type ReviewResult } from './log-reviewer.js';

/**
 * Puts a review's findings through the same lifecycle as a scan's: new, changed and resolved
 * are decided by the findings repository. The review always reports its complete current set
 * (findings stay in it until they expire), so the source counts as completed every time.
 */
export function recordReview(repos: Repositories, result: ReviewResult, now: number): FindingChanges {
  return repos.findings.apply({
    runId: null,
    completedSources: [LOG_REVIEW_SOURCE],
    findings: result.findings.map((draft) => toFinding(LOG_REVIEW_SOURCE, draft)),
    now,
  });
}

/**
 * One review pass inside the bot, with one digest of what changed (quiet when nothing did).
 * Block suggestions of opened findings become proposals after the digest; those that will not
 * (own IP, LAN, allowed, already blocked...) say why on their digest line.
 */
export async function runScheduledReview(
  ctx: AppContext,
  alerts: AlertOutbox,
  suggestions?: SuggestedActions,
): Promise<void> {
  try {
    const result = await ctx.reviewer.review();
    const changes = recordReview(ctx.repos, result, ctx.clock.now());
    const opened = changes.opened.filter((f) => f.action !== undefined);
    const notProposed = suggestions && opened.length > 0 ? suggestions.notProposed(opened) : undefined;
    await publishChanges(ctx, alerts, changes, 'Log review', notProposed);
    if (suggestions && opened.length > 0) await suggestions.proposeSuggestedActions(opened);
  } catch (error) {
    logError(error, ctx.logger, { during: 'in the scheduled log review' });
  }
}

/**
 * The review job: the next pass starts LOG_REVIEW_INTERVAL after the previous one ended, so
 * passes never overlap however long a backlog takes; the first right at start. Undefined
 * without LOG_SOURCES (nothing to review).
 */
export function reviewJob(
  ctx: AppContext,
  alerts: AlertOutbox,
  suggestions?: SuggestedActions,
): JobDefinition | undefined {
  if (ctx.config.logs.sources.length === 0) return undefined;
  return {
    name: 'log-review',
    schedule: { kind: 'interval', everyMs: ctx.config.logs.reviewIntervalMs, firstMs: 0 },
    run: async () => {
      await runScheduledReview(ctx, alerts, suggestions);
      return 'done';
    },
  };
}
