/**
 * Child process for the crash tests: reviews LOG_SOURCES again and again until the source is
 * read to its end, then prints `done`. The parent kills it with SIGKILL at random moments. An
 * optional third argument is JSON of config keys laid over the defaults below.
 */
import { statSync } from 'node:fs';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/clock.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from './log-db.js';

const [file, dbPath, overrides] = process.argv.slice(2) as [string, string, string | undefined];
const config = loadConfig(
  {
    LOG_SOURCES: `nginx:${file}`,
    DATABASE_PATH: dbPath,
    LOG_TIMEZONE: 'UTC',
    LOG_MAX_AGE: '3650d',
    LOG_BACKFILL_BYTES: '1g',
    // Commit after every 4 KiB chunk: many commit points to be killed between.
    LOG_COMMIT_BYTES: '1',
    ...(overrides ? (JSON.parse(overrides) as Record<string, string>) : {}),
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
  await reviewer.review();
  const row = repo.file('nginx');
  if (row && row.offset >= statSync(file).size) break;
}
db.close();
process.stdout.write('done\n');
