import type { SuggestedActions } from '../actions/proposal-board.js';
import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { AlertOutbox } from '../alerts/alert-outbox.js';
import { publishChanges } from '../alerts/publish-changes.js';
import type { AppContext } from '../app/app-context.js';
import { toFinding } from '../domain/finding.js';
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
    ctx.logger.error('scheduled log review failed', { error });
  }
}

export interface ReviewSchedule {
  /** Stops scheduling and waits for a pass in progress (it commits as it goes). */
  stop(): Promise<void>;
}

/**
 * Reviews continuously: the next pass starts LOG_REVIEW_INTERVAL after the previous one ended,
 * so passes never overlap however long a backlog takes. Nothing runs without LOG_SOURCES.
 */
export function scheduleReviews(
  ctx: AppContext,
  alerts: AlertOutbox,
  suggestions?: SuggestedActions,
): ReviewSchedule {
  if (ctx.config.logs.sources.length === 0) return { stop: async () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runScheduledReview(ctx, alerts, suggestions).finally(() => {
      if (!stopped) timer = setTimeout(tick, ctx.config.logs.reviewIntervalMs);
    });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
