/**
 * Child process for the crash tests: reviews one source again and again until a pass finds
 * nothing new, then prints `done`. The parent kills it with SIGKILL at random moments.
 * Arguments: the LOG_SOURCES entry (a bare path means `nginx:PATH`), the database path, and
 * optionally JSON of config keys laid over the defaults below, and optionally a commit number:
 * the child then SIGKILLs itself inside that store commit, after its first rows were written
 * and before the transaction ends (a crash in the middle of one commit point, every time).
 */
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/clock.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import type { SourceCommit } from '../../src/logs/review-store.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from './log-db.js';

const [spec, dbPath, overrides, killAt] = process.argv.slice(2) as [
  string,
  string,
  string | undefined,
  string | undefined,
];
const config = loadConfig(
  {
    LOG_SOURCES: spec.startsWith('/') ? `nginx:${spec}` : spec,
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
/** Kills the process in the middle of commit number `killAt` (1-based), never returns from it. */
class KilledMidCommit extends LogReviewRepository {
  private commits = 0;
  override commit(c: SourceCommit, now: number): void {
    if (++this.commits !== Number(killAt)) {
      super.commit(c, now);
      return;
    }
    let rows = 0;
    const die = () => {
      if (++rows > 1) process.kill(process.pid, 'SIGKILL');
    };
    super.commit(
      {
        ...c,
        writeStates: (write, remove) =>
          c.writeStates(
            (detector, row) => {
              write(detector, row);
              die();
            },
            (detector, ip) => {
              remove(detector, ip);
              die();
            },
          ),
      },
      now,
    );
    // A commit with fewer than two state rows: killed right after it landed.
    process.kill(process.pid, 'SIGKILL');
  }
}
const repo = killAt === undefined ? new LogReviewRepository(db) : new KilledMidCommit(db);
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
