import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRepositories,
  type Database,
  openDatabase,
  type Repositories,
} from '../../src/adapters/sqlite/index.js';
import { AlertOutbox } from '../../src/alerts/alert-outbox.js';
import { JobScheduler } from '../../src/kernel/job-scheduler.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_DISCORD_TOKEN, TEST_IDS, tempDir } from '../harness/test-env.js';

interface Body {
  content?: string;
  embeds?: { title?: string }[];
  nonce?: string;
}

describe('AlertOutbox against the strict fake Discord', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let repos: Repositories;
  let discord: FakeDiscord;
  let delivered: string[];
  let outbox: AlertOutbox;
  let jobs: JobScheduler;

  beforeEach(async () => {
    dir = tempDir();
    db = openDatabase(`${dir.path}/db.sqlite`);
    repos = createRepositories(db);
    discord = new FakeDiscord();
    await discord.start();
    delivered = [];
    const rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken(TEST_DISCORD_TOKEN);
    const clock = new ManualClock(0);
    // The fake clock is also the timers: a retry waits until the test flushes.
    jobs = new JobScheduler({ clock, timers: clock, logger: silentLogger() });
    outbox = new AlertOutbox({
      repo: repos.outbox,
      rest,
      channelId: TEST_IDS.channel,
      clock,
      jobs,
      logger: silentLogger(),
      onDelivered: (f) => delivered.push(...f),
    });
    await jobs.start();
  });
  afterEach(async () => {
    await outbox.stop();
    await jobs.stop();
    db.close();
    await discord.stop();
    dir.remove();
  });

  const embed = (i: number, size = 10) => ({ title: `finding ${i}`, description: 'x'.repeat(size) });
  const posted = () => discord.channelMessages().map((m) => m.embeds as { title?: string }[]);

  it('splits a message Discord refuses, down to one finding per message, and keeps the order', async () => {
    // A refusal the bot cannot foresee: anything with more than one embed is refused.
    discord.restFault = (method, _path, body) =>
      method === 'POST' && ((body as Body).embeds?.length ?? 0) > 1 ? 'reject' : undefined;
    await outbox.post([
      { embeds: [embed(1), embed(2), embed(3)], findings: ['f1', 'f2', null] },
      { embeds: [embed(4)], findings: ['f4'] },
    ]);
    expect(posted().map((m) => m.map((e) => e.title))).toEqual([
      ['finding 1'],
      ['finding 2'],
      ['finding 3'],
      ['finding 4'],
    ]);
    expect(delivered).toEqual(['f1', 'f2', 'f4']);
    expect(outbox.pending).toBe(0);
    expect(outbox.setAside).toBe(0);
  });

  it('sets aside only what is refused on its own, announces it, and never marks its finding notified', async () => {
    discord.restFault = (method, _path, body) =>
      method === 'POST' && (body as Body).embeds?.some((e) => e.title === 'finding 2') ? 'reject' : undefined;
    await outbox.post([{ embeds: [embed(1), embed(2), embed(3)], findings: ['f1', 'f2', 'f3'] }]);
    const messages = discord.channelMessages();
    expect(messages.map((m) => (m.embeds as { title?: string }[]).map((e) => e.title))).toEqual([
      ['finding 1'],
      ['finding 3'],
      [],
    ]);
    expect(messages.at(-1)?.content).toMatch(/Discord refused an alert .*set aside: finding 2/);
    expect(delivered).toEqual(['f1', 'f3']);
    expect(outbox.setAside).toBe(1);
    expect(outbox.pending).toBe(0);
  });

  it('does not mark findings notified while Discord is unreachable; they are marked when it answers', async () => {
    discord.restDown = true;
    await outbox.post([{ embeds: [embed(1)], findings: ['f1'] }]);
    expect(delivered).toEqual([]);
    expect(outbox.pendingFindings()).toEqual(new Set(['f1']));
    discord.restDown = false;
    await outbox.flush();
    expect(delivered).toEqual(['f1']);
    expect(outbox.pendingFindings()).toEqual(new Set());
  });

  it('a lost answer and a resend leave one message, not two (stored nonce, enforce_nonce)', async () => {
    let lost = false;
    discord.restFault = (method) => {
      if (method !== 'POST' || lost) return undefined;
      lost = true;
      return 'lose';
    };
    await outbox.post([{ embeds: [embed(1)] }]);
    await outbox.flush();
    expect(discord.callsTo('POST', /\/messages$/).length).toBe(2);
    expect(discord.channelMessages()).toHaveLength(1);
  });
});
