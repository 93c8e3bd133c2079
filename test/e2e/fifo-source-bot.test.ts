import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScheduledReview } from '../../src/logs/scheduled-review.js';
import { useBotLab } from '../harness/bot-lab.js';
import { captureLogger } from '../harness/capture-logger.js';
import { TEST_IDS } from '../harness/test-env.js';

describe('a FIFO where a log should be, inside the bot', () => {
  const lab = useBotLab();

  it('is reported, not opened, and the bot keeps answering commands', async () => {
    const fifo = join(lab.dir, 'access.log');
    // Nobody ever writes to it: a blocking open(2) would hang the review, and with it the bot.
    execFileSync('mkfifo', [fifo]);
    const { logger, entries } = captureLogger();
    const { app, bot } = await lab.start({
      env: { LOG_SOURCES: `nginx:${fifo}`, LOG_TIMEZONE: 'UTC' },
      overrides: { logger },
    });
    await runScheduledReview(app, bot.ctx.alerts);
    expect(
      entries.some(
        (e) =>
          e.level === 'warn' &&
          e.message.includes('not a regular file') &&
          e.problem === `${fifo} is a FIFO (named pipe), not a log file: not read`,
      ),
    ).toBe(true);
    const { id, token } = lab.discord.interaction({
      name: 'status',
      options: [],
      userId: TEST_IDS.approverUser,
    });
    const callback = await lab.discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`), 10_000);
    expect((callback.body as { type?: number }).type).toBe(5);
    await lab.discord.waitFor((c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/`), 10_000);
  });
});
