/**
 * Child process for the crash tests: reviews one source again and again until a pass finds
 * nothing new, then prints `done`. The parent kills it with SIGKILL at random moments.
 * Arguments: the LOG_SOURCES entry (a bare path means `nginx:PATH`) and the database path.
 */
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/clock.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from './log-db.js';

const [spec, dbPath] = process.argv.slice(2) as [string, string];
const config = loadConfig(
  {
    LOG_SOURCES: spec.startsWith('/') ? `nginx:${spec}` : spec,
    DATABASE_PATH: dbPath,
    LOG_TIMEZONE: 'UTC',
    LOG_MAX_AGE: '3650d',
    LOG_BACKFILL_BYTES: '1g',
    // Commit after every 4 KiB chunk: many commit points to be killed between.
    LOG_COMMIT_BYTES: '1',
  },
  { requireDiscord: false },
);
const db = openTestDatabase(dbPath);
const repo = new LogReviewRepository(db);
const reviewer = new LogReviewer({
  logs: config.logs,
  scope: AddressScope.fromConfig(config.network),
  repo,
  clock: systemClock,
  logger: silentLogger(),
});
process.stdout.write('ready\n');
for (;;) {
  const { sources } = await reviewer.review();
  const result = sources[0];
  if (!result || result.status === 'error') {
    process.stderr.write(`review failed: ${JSON.stringify(result)}\n`);
    process.exit(1);
  }
  if (result.status === 'ok' && 'bytes' in result && result.bytes === 0) break;
}
db.close();
process.stdout.write('done\n');
