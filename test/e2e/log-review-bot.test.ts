import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import type { BotHandle } from '../../src/app/bot.js';
import { runScheduledReview } from '../../src/logs/scheduled-review.js';
import { useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord } from '../harness/fake-discord.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_IDS } from '../harness/test-env.js';

interface Embed {
  title?: string;
  author?: { name: string };
  footer?: { text: string };
}

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const sshLine = (ip: string, second: number) =>
  `2026-11-25T12:00:${String(second).padStart(2, '0')}+00:00 nas sshd[42]: Failed password for root from ${ip} port 5555 ssh2\n`;

describe('continuous log review inside the bot', () => {
  const lab = useBotLab();
  let discord: FakeDiscord;
  let app: AppContext;
  let bot: BotHandle;
  let clock: ManualClock;
  let log: string;

  beforeEach(async () => {
    discord = lab.discord;
    log = join(lab.dir, 'auth.log');
    clock = new ManualClock(NOW);
    ({ app, bot } = await lab.start({
      env: { LOG_SOURCES: `sshd:${log}`, LOG_TIMEZONE: 'UTC', LOG_FINDING_RETENTION: '1h' },
      omit: ['APPROVER_USER_IDS'],
      overrides: { clock },
    }));
  });

  const posts = (): Embed[] =>
    discord
      .callsTo('POST', new RegExp(`^/channels/${TEST_IDS.channel}/messages$`))
      .flatMap((c) => (c.body as { embeds?: Embed[] }).embeds ?? []);
  const review = async () => {
    if (!app || !bot) throw new Error('not started');
    await runScheduledReview(app, bot.ctx.alerts);
  };

  it('alerts once on SSH brute force with a block suggestion, stays quiet, then resolves it', async () => {
    writeFileSync(log, '');
    await review();
    expect(posts()).toEqual([]);
    appendFileSync(log, [0, 1, 2, 3, 4, 5].map((s) => sshLine('203.0.113.66', s)).join(''));
    await review();
    await discord.waitFor(() => posts().length > 0);
    const first = posts();
    expect(first.map((e) => e.title)).toEqual([
      expect.stringContaining('Brute force from 203.0.113.66 on sshd'),
    ]);
    expect(first[0]?.author?.name).toContain('Log review');
    const stored = app?.repos.findings.get('log-review:brute-force:sshd:203.0.113.66');
    expect(stored?.action).toMatchObject({ kind: 'block-ip', ip: '203.0.113.66', durationMs: 86_400_000 });
    // Nothing new: no second alert.
    await review();
    expect(posts()).toHaveLength(1);
    // An hour after the last failure the finding expires: resolved.
    clock.advance(2 * 3_600_000);
    await review();
    await discord.waitFor(() => posts().length > 1);
    expect(posts()[1]?.title).toContain('Resolved');
  });

  it('turns a brute-force finding into one approval proposal with both reactions, not a duplicate', async () => {
    if (!app || !bot) throw new Error('not started');
    const { ctx } = bot;
    writeFileSync(log, [0, 1, 2, 3, 4, 5].map((s) => sshLine('203.0.113.77', s)).join(''));
    await runScheduledReview(app, ctx.alerts, ctx.board);
    const pending = app.actions.proposals.pendingBlockExists('203.0.113.77');
    expect(pending).toBe(true);
    const proposal = discord
      .channelMessages()
      .find((m) => JSON.stringify(m.embeds).includes('Block 203.0.113.77'));
    expect(proposal).toBeDefined();
    await expect.poll(() => proposal?.reactions.size, { timeout: 5_000 }).toBe(2);
    // A later pass that finds nothing new proposes nothing again.
    appendFileSync(log, sshLine('203.0.113.77', 6));
    await runScheduledReview(app, ctx.alerts, ctx.board);
    const proposals = discord
      .channelMessages()
      .filter((m) => JSON.stringify(m.embeds).includes('Block 203.0.113.77'));
    expect(proposals).toHaveLength(1);
    // Nothing was blocked without an approver.
    expect(app.actions.bans.active()).toHaveLength(0);
    // /status shows the source's position, the pending proposal and no bans.
    appendFileSync(log, 'x'.repeat(2_048));
    discord.interaction({ name: 'status', roles: [TEST_IDS.approverRole] });
    const edit = await discord.waitFor((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'));
    const fields =
      (edit.body as { embeds: { fields: { name: string; value: string }[] }[] }).embeds[0]?.fields ?? [];
    const field = (name: string) => fields.find((f) => f.name === name)?.value;
    expect(field('Log sources')).toMatch(/^`sshd`: 7 lines read, 2\.0 KB behind$/);
    expect(field('Proposals pending')).toBe('1');
    expect(field('Bans active')).toMatch(/^0 \(firewall: none\)$/);
    expect(field('Account signals')).toBe(
      'new country and sharing (more than 2 addresses) on; impossible travel off: IP_CITY_DB is not set (README, Account signals)',
    );
  });
});
