import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScheduledReview } from '../../src/logs/scheduled-review.js';
import { useBotLab } from '../harness/bot-lab.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_IDS } from '../harness/test-env.js';

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const sshLine = (ip: string, second: number, user: string) =>
  `2026-11-25T12:00:${String(second).padStart(2, '0')}+00:00 nas sshd[42]: Failed password for invalid user ${user} from ${ip} port 5555 ssh2\n`;
const accessLine = (ip: string, path: string, agent: string) =>
  `${ip} - - [25/Nov/2026:12:00:10 +0000] "GET ${path} HTTP/1.1" 404 153 "-" "${agent}"\n`;

/** The bot end to end on the strict fake Discord, for what the lenient one used to hide. */
describe('on a Discord as strict as the real one', () => {
  const lab = useBotLab();
  const posted = () =>
    lab.discord
      .channelMessages()
      .filter((m) => m.channel_id === TEST_IDS.channel)
      .flatMap((m) => m.embeds as Embed[]);

  it('a review that raises 40 findings with long evidence delivers all 40, none set aside, each notified', async () => {
    // A long log path and long user names make every finding's evidence long.
    const folder = join(lab.dir, 'v'.repeat(120), 'w'.repeat(120));
    mkdirSync(folder, { recursive: true });
    const log = join(folder, 'auth.log');
    const ips = Array.from({ length: 40 }, (_, i) => `203.0.113.${i + 10}`);
    writeFileSync(log, '');
    const { app, bot } = await lab.start({
      env: { LOG_SOURCES: `sshd:${log}`, LOG_TIMEZONE: 'UTC', LOG_FINDING_RETENTION: '1h' },
      overrides: { clock: new ManualClock(NOW) },
    });
    // The first pass starts at the end of the file; what is appended next is reviewed.
    await runScheduledReview(app, bot.ctx.alerts);
    appendFileSync(
      log,
      ips.flatMap((ip) => [0, 1, 2, 3, 4, 5].map((s) => sshLine(ip, s, `u${'x'.repeat(60)}${ip}`))).join(''),
    );
    await runScheduledReview(app, bot.ctx.alerts);
    const titles = posted().map((e) => e.title ?? '');
    for (const ip of ips) expect(titles.some((t) => t.includes(`Brute force from ${ip} `))).toBe(true);
    expect(bot.ctx.alerts.setAside).toBe(0);
    expect(bot.ctx.alerts.pending).toBe(0);
    const bruteForce = app.repos.findings
      .open()
      .filter((f) => f.fingerprint.startsWith('log-review:brute-force'));
    expect(bruteForce).toHaveLength(40);
    expect(bruteForce.every((f) => f.notifiedAt !== null)).toBe(true);
  });

  it('[click](https://evil.example) in a user agent, a path or a user name never renders as a link', async () => {
    const ssh = join(lab.dir, 'auth.log');
    const web = join(lab.dir, 'access.log');
    const evil = '[click](https://evil.example)';
    writeFileSync(ssh, '');
    writeFileSync(web, '');
    const { app, bot } = await lab.start({
      env: { LOG_SOURCES: `sshd:${ssh},nginx:${web}`, LOG_TIMEZONE: 'UTC', LOG_FINDING_RETENTION: '1h' },
      overrides: { clock: new ManualClock(NOW) },
    });
    await runScheduledReview(app, bot.ctx.alerts);
    appendFileSync(ssh, [0, 1, 2, 3, 4, 5].map((s) => sshLine('198.51.100.7', s, evil)).join(''));
    appendFileSync(
      web,
      Array.from({ length: 30 }, (_, i) => accessLine('198.51.100.8', `/${evil}/${i}`, evil)).join(''),
    );
    await runScheduledReview(app, bot.ctx.alerts);
    const text = JSON.stringify(lab.discord.channelMessages().map((m) => m.embeds));
    expect(text).toContain('evil.example');
    // Discord's masked-link and autolink rules (reference#message-formatting) match none of it.
    expect(text).not.toMatch(/\[[^\]]*\]\(/);
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('delivers what waited in the outbox within 2 s of a new session (no waiting for the retry timer)', async () => {
    const { bot } = await lab.start();
    lab.discord.restDown = true;
    await bot.ctx.alerts.post([{ embeds: [{ title: 'waited for Discord' }] }]);
    expect(bot.ctx.alerts.pending).toBe(1);
    lab.discord.restDown = false;
    const identifies = lab.discord.identifies;
    // Discord forgets the session: the client has to identify again, and nothing is replayed.
    lab.discord.invalidateSessions();
    await expect.poll(() => lab.discord.identifies, { timeout: 10_000 }).toBe(identifies + 1);
    const ready = performance.now();
    await expect
      .poll(() => posted().some((e) => e.title === 'waited for Discord'), { timeout: 2_000 })
      .toBe(true);
    expect(performance.now() - ready).toBeLessThan(2_000);
  });
});
