import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { type AppContext, createAppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import { toFinding } from '../../src/domain/finding.js';
import { captureLogger, entryWithReference, type LogEntry } from '../harness/capture-logger.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { botEnv, TEST_IDS, tempDir, testConfig } from '../harness/test-env.js';

/**
 * The interaction pipeline's error boundary, end to end: a stored row that no longer fits its
 * schema makes /findings fail; the user sees a generic line with a reference, the log has the
 * full error (table and row) under the same reference, and the bot goes on answering.
 */
describe('interaction pipeline: unexpected errors', () => {
  const dir = tempDir();
  const discord = new FakeDiscord();
  const plex = new FakePlex();
  let entries: LogEntry[] = [];
  let app: AppContext;
  let bot: BotHandle;

  beforeAll(async () => {
    await discord.start();
    await plex.start();
    const config = testConfig(
      botEnv(discord, { databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url }, {}),
      true,
    );
    const captured = captureLogger();
    entries = captured.entries;
    app = createAppContext(config, { logger: captured.logger });
    if (!config.discord) throw new Error('no discord config');
    bot = await startBot(app, config.discord, { schedule: false });
  });

  afterAll(async () => {
    await bot?.stop();
    app?.close();
    await discord.stop();
    await plex.stop();
    dir.remove();
  });

  async function reply(name: string): Promise<string> {
    const { token } = discord.interaction({ name, options: [], userId: TEST_IDS.approverUser });
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/`),
      10_000,
    );
    return JSON.stringify(edit.body);
  }

  it('shows a reference for a corrupt stored row and logs the row under it', async () => {
    const draft = {
      key: 'brute-force:203.0.113.7',
      severity: 'high',
      title: 'Brute force from 203.0.113.7',
      evidence: '40 failed sign-ins',
      fix: 'Block it',
      action: { kind: 'block-ip', ip: '203.0.113.7', durationMs: 60_000, reason: 'x' },
    } as const;
    app.repos.findings.apply({
      runId: null,
      completedSources: ['log-review'],
      findings: [toFinding('log-review', draft)],
      now: app.clock.now(),
    });
    // Another connection, as someone editing the file by hand would.
    const db = openDatabase(join(dir.path, 'db.sqlite'));
    db.prepare('UPDATE findings SET action = ?').run('{"kind":"format-disk"}');
    db.close();

    const text = await reply('findings');
    const reference = /reference `([0-9a-f]{8})`/.exec(text)?.[1];
    expect(text).toContain('Something went wrong on our side');
    expect(text).not.toContain('format-disk');
    expect(entryWithReference(entries, reference)).toMatchObject({
      level: 'error',
      error: { name: 'StoredRowError', table: 'findings', row: 'log-review:brute-force:203.0.113.7' },
    });

    // The bot is still there.
    expect(await reply('help')).not.toContain('Something went wrong');
  });
});
