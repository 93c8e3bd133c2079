import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import type { Env } from '../../src/config/index.js';
import { createLogger } from '../../src/kernel/logger.js';
import { runScheduledReview } from '../../src/logs/scheduled-review.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { ManualClock } from '../harness/manual-clock.js';
import { botEnv, TEST_IDS, tempDir, testContext } from '../harness/test-env.js';

interface Embed {
  title?: string;
  fields?: { name: string; value: string }[];
}

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const sshLine = (ip: string, second: number) =>
  `2026-11-25T12:00:${String(second).padStart(2, '0')}+00:00 nas sshd[42]: Failed password for root from ${ip} port 5555 ssh2\n`;
const bruteForce = (ip: string) => [0, 1, 2, 3, 4, 5].map((s) => sshLine(ip, s)).join('');

/** The log review, the block policy and the digest asking one AddressScope, inside the bot. */
describe('whose address is this, end to end', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let discord: FakeDiscord | undefined;
  let plex: FakePlex | undefined;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;
  let logLines: Record<string, unknown>[] = [];

  afterEach(async () => {
    await bot?.stop();
    app?.close();
    await discord?.stop();
    await plex?.stop();
    dir?.remove();
  });

  async function start(extra: Env = {}) {
    dir = tempDir();
    const log = join(dir.path, 'auth.log');
    writeFileSync(log, '');
    const fakeDiscord = new FakeDiscord();
    discord = fakeDiscord;
    await fakeDiscord.start();
    const fakePlex = new FakePlex();
    plex = fakePlex;
    await fakePlex.start();
    const stream = new PassThrough();
    logLines = [];
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
    });
    app = testContext(
      botEnv(
        fakeDiscord,
        { databasePath: `${dir.path}/db.sqlite`, plexUrl: fakePlex.url },
        { LOG_SOURCES: `sshd:${log}`, LOG_TIMEZONE: 'UTC', ...extra },
      ),
      {
        clock: new ManualClock(NOW),
        logger: createLogger({ level: 'info', format: 'json', stream, secrets: [] }),
      },
    );
    if (!app.config.discord) throw new Error('no discord config');
    bot = await startBot(app, app.config.discord, { schedule: false });
    return { app, bot, log, plex: fakePlex, discord: fakeDiscord };
  }

  const posts = (fake: FakeDiscord): Embed[] =>
    fake
      .callsTo('POST', new RegExp(`^/channels/${TEST_IDS.channel}/messages$`))
      .flatMap((c) => (c.body as { embeds?: Embed[] }).embeds ?? []);

  it("never flags the household's learned public IP: an sshd brute force from it raises no finding or proposal", async () => {
    const t = await start();
    t.plex.state.myplexAccount.publicAddress = '198.51.100.40';
    // A scan learns the address from Plex (InternetDB is unreachable here; that does not matter).
    await t.app.runner.run({ trigger: 'cli', checkIds: ['public-footprint'] });
    expect(t.app.scope.classify('198.51.100.40')).toMatchObject({ kind: 'self', code: 'own-ip' });

    appendFileSync(t.log, bruteForce('198.51.100.40') + bruteForce('203.0.113.66'));
    await runScheduledReview(t.app, t.bot.ctx.alerts, t.bot.ctx.board);
    // The stranger is flagged and proposed; the household is not.
    expect(t.app.repos.findings.get('log-review:brute-force:sshd:203.0.113.66')?.status).toBe('open');
    expect(t.app.repos.findings.get('log-review:brute-force:sshd:198.51.100.40')).toBeUndefined();
    expect(t.app.actions.proposals.pendingBlockExists('203.0.113.66')).toBe(true);
    expect(t.app.actions.proposals.pendingBlockExists('198.51.100.40')).toBe(false);
    await t.discord.waitFor(() => posts(t.discord).length > 0);
    expect(JSON.stringify(posts(t.discord))).not.toContain('198.51.100.40');
  });

  it('a suggested block that is not proposed says why, in the log and on the digest line of its finding', async () => {
    // 10.0.0.5 is not on this LAN: a brute force from it is worth reporting, but the block
    // policy refuses private addresses without force.
    const t = await start({ LAN_CIDRS: '192.168.1.0/24' });
    appendFileSync(t.log, bruteForce('10.0.0.5'));
    await runScheduledReview(t.app, t.bot.ctx.alerts, t.bot.ctx.board);
    expect(t.app.repos.findings.get('log-review:brute-force:sshd:10.0.0.5')?.status).toBe('open');
    expect(t.app.actions.proposals.pendingBlockExists('10.0.0.5')).toBe(false);

    await t.discord.waitFor(() => posts(t.discord).length > 0);
    const line = posts(t.discord).find((e) => e.title?.includes('Brute force from 10.0.0.5'));
    const field = line?.fields?.find((f) => f.name === 'Block not proposed');
    expect(field?.value).toMatch(/10\.0\.0\.5.*private address/);
    const logged = logLines.find((l) => l.message === 'suggested action not proposed');
    expect(logged).toMatchObject({
      fingerprint: 'log-review:brute-force:sshd:10.0.0.5',
      ip: '10.0.0.5',
      reason: expect.stringContaining('private address'),
    });
  });
});
