import type { Database } from '../../src/adapters/sqlite/database.js';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import type { Clock } from '../../src/kernel/clock.js';
import { type Logger, silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer, type LogReviewerDeps } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';

/**
 * The live reviewer over one LOG_SOURCES entry and a real database, as the bot builds it: UTC,
 * no age limit (fixtures carry fixed dates), the given clock.
 */
export function fileReviewer(
  db: Database,
  source: string,
  clock: Clock,
  extra: {
    readonly env?: Record<string, string>;
    readonly logger?: Logger;
    readonly learnPlexOwner?: LogReviewerDeps['learnPlexOwner'];
  } = {},
): { reviewer: LogReviewer; repo: LogReviewRepository } {
  const env = { LOG_SOURCES: source, LOG_TIMEZONE: 'UTC', LOG_MAX_AGE: '3650d', ...extra.env };
  const config = loadConfig(env, { requireDiscord: false });
  const repo = new LogReviewRepository(db);
  const reviewer = new LogReviewer({
    logs: config.logs,
    scope: AddressScope.fromConfig(config.network, { now: () => clock.now() }),
    repo,
    clock,
    logger: extra.logger ?? silentLogger(),
    ...(extra.learnPlexOwner ? { learnPlexOwner: extra.learnPlexOwner } : {}),
  });
  return { reviewer, repo };
}
