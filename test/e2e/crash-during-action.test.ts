import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SpawnedCli, spawnCli } from '../harness/cli-runner.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { TEST_DISCORD_TOKEN, TEST_IDS, tempDir, testEnv } from '../harness/test-env.js';

interface Embed {
  title?: string;
  fields?: { name: string; value: string }[];
}

/**
 * kill -9 of the real bot process while an approved action runs: on restart the action is
 * reported as interrupted, never run a second time, and a late ✅ changes nothing.
 */
describe('kill -9 during an action', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  const children: SpawnedCli[] = [];

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    await discord.start();
    plex = new FakePlex();
    await plex.start();
  });
  afterEach(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await discord.stop();
    await plex.stop();
    dir.remove();
  });

  it('marks the action interrupted on restart and never runs it twice', async () => {
    const calls = join(dir.path, 'calls.txt');
    const script = join(dir.path, 'block.sh');
    // Records each call, then takes long enough for the test to kill the bot in the middle.
    writeFileSync(script, `#!/bin/sh\necho "$@" >> '${calls}'\nsleep 3\n`);
    chmodSync(script, 0o755);
    const env = testEnv({
      databasePath: join(dir.path, 'db.sqlite'),
      plexUrl: plex.url,
      DISCORD_TOKEN: TEST_DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: TEST_IDS.application,
      DISCORD_GUILD_ID: TEST_IDS.guild,
      ALERT_CHANNEL_ID: TEST_IDS.channel,
      APPROVER_ROLE_IDS: TEST_IDS.approverRole,
      DISCORD_API_URL: discord.apiUrl,
      SCAN_SCHEDULE: '0 0 1 1 *',
      FIREWALL_BACKEND: 'command',
      BLOCK_COMMAND: script,
      FIREWALL_TIMEOUT: '60s',
    }) as Record<string, string>;
    const callCount = () => {
      try {
        return readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    };
    const proposalMessage = () =>
      discord.channelMessages().find((m) => (m.embeds as Embed[])[0]?.title?.startsWith('Proposal #'));

    const first = spawnCli(['bot'], env, dir.path);
    children.push(first);
    await expect.poll(() => discord.ready, { timeout: 15_000 }).toBe(true);
    discord.interaction({
      name: 'block',
      roles: [TEST_IDS.approverRole],
      options: [{ name: 'ip', type: 3, value: '203.0.113.9' }],
    });
    await expect.poll(() => proposalMessage()?.reactions.size, { timeout: 10_000 }).toBe(2);
    const messageId = proposalMessage()?.id ?? '';
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [TEST_IDS.approverRole] });
    await expect.poll(callCount, { timeout: 10_000 }).toBe(1);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = spawnCli(['bot'], env, dir.path);
    children.push(second);
    // The restart closes the interrupted proposal and edits its message.
    await expect
      .poll(
        () => {
          const fields = (proposalMessage()?.embeds as Embed[] | undefined)?.[0]?.fields ?? [];
          return fields.find((f) => f.name === 'Outcome')?.value ?? '';
        },
        { timeout: 15_000 },
      )
      .toMatch(/Interrupted by a restart while running; it was not retried/);
    // A late approval does nothing, and the script never runs again.
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.otherUser, roles: [TEST_IDS.approverRole] });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(callCount()).toBe(1);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const db = new BetterSqlite3(join(dir.path, 'db.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT status FROM proposals').all() as { status: string }[];
      expect(rows).toEqual([{ status: 'failed' }]);
      const audit = db
        .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'proposal.interrupted'")
        .get() as {
        n: number;
      };
      expect(audit.n).toBe(1);
    } finally {
      db.close();
    }
  }, 60_000);
});
