import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { useBotLab } from '../harness/bot-lab.js';
import { spawnCli } from '../harness/cli-runner.js';
import type { FakeDiscord } from '../harness/fake-discord.js';
import type { FakePlex } from '../harness/fake-plex.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_DISCORD_TOKEN } from '../harness/test-env.js';

interface Embed {
  title?: string;
  author?: { name: string };
  fields?: { name: string; value: string }[];
}
interface PostBody {
  embeds?: Embed[];
  nonce?: string;
  enforce_nonce?: boolean;
  allowed_mentions?: { parse?: string[] };
}

describe('resilience', () => {
  const lab = useBotLab();
  let dir: { path: string };
  let discord: FakeDiscord;
  let plex: FakePlex;

  const env = (extra: Record<string, string> = {}) => lab.env(extra) as Record<string, string>;

  /** Alerts in the channel (interaction replies such as /status are messages there too). */
  const alerts = () =>
    discord.channelMessages().filter((m) => (m.embeds as Embed[])[0]?.title !== 'plex-warden status');
  const start = (extra: Record<string, string> = {}, clock?: ManualClock) =>
    lab.start({ env: extra, overrides: clock ? { clock } : {} });

  /** Scans in state 'running' right now, read from the bot's database (0 before it exists). */
  const runningScans = () => {
    try {
      const db = new BetterSqlite3(join(dir.path, 'db.sqlite'), { readonly: true, fileMustExist: true });
      try {
        return (
          db.prepare("SELECT count(*) AS n FROM scan_runs WHERE status = 'running'").get() as { n: number }
        ).n;
      } finally {
        db.close();
      }
    } catch {
      return 0;
    }
  };

  beforeEach(() => {
    dir = { path: lab.dir };
    discord = lab.discord;
    plex = lab.plex;
  });

  it('SIGTERM during a scan: the real bot exits 0 within a few seconds and leaves no running scan', async () => {
    plex.state.mode = 'hang';
    const cli = spawnCli(
      ['bot'],
      {
        ...env({ SCAN_SCHEDULE: '* * * * * *', PLEX_TIMEOUT: '60s', CHECK_TIMEOUT: '60s' }),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      dir.path,
    );
    try {
      // A scheduled scan is running (the live watcher's own /identity probe is not a scan).
      await expect.poll(runningScans, { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
      const sent = performance.now();
      cli.child.kill('SIGTERM');
      const { code, at } = await cli.exited;
      expect(code, cli.output.stderr).toBe(0);
      expect(at - sent).toBeLessThan(4_000);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
    const db = new BetterSqlite3(join(dir.path, 'db.sqlite'));
    try {
      // A clean close checkpoints the WAL; an integrity check passes, and no run is left 'running'.
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const runs = db.prepare('SELECT status FROM scan_runs').all() as { status: string }[];
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    } finally {
      db.close();
    }
    expect(cli.output.stderr).toMatch(/shutting down/);
    expect(cli.output.stderr).not.toMatch(/"level":"error"/);
  });

  it('kill -9 with an alert waiting in the outbox and a scan running: the restart delivers it once and moves on', async () => {
    discord.restFault = (method, path) =>
      method === 'POST' && /^\/channels\/\d+\/messages$/.test(path) ? 'refuse' : undefined;
    plex.state.mode = 'garbage'; // every scheduled scan: "PLEX_URL does not answer like a Plex Media Server"
    const childEnv = { ...env({ SCAN_SCHEDULE: '* * * * * *', PLEX_TIMEOUT: '30s', CHECK_TIMEOUT: '30s' }) };
    const first = spawnCli(['bot'], childEnv, dir.path);
    const dbPath = join(dir.path, 'db.sqlite');
    const pending = () => {
      const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    try {
      await expect
        .poll(
          () => {
            try {
              return pending();
            } catch {
              return 0;
            }
          },
          { timeout: 15_000 },
        )
        .toBe(1);
      // Now make the next scan hang, and kill the bot in the middle of it.
      plex.state.mode = 'hang';
      await expect.poll(runningScans, { timeout: 5_000, interval: 50 }).toBeGreaterThan(0);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    }
    expect(alerts()).toHaveLength(0);

    discord.restFault = undefined;
    plex.state.mode = 'garbage';
    const second = spawnCli(['bot'], { ...childEnv, SCAN_SCHEDULE: '0 0 1 1 *' }, dir.path);
    try {
      await expect.poll(() => alerts().length, { timeout: 15_000 }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(alerts()).toHaveLength(1);
      expect((alerts()[0]?.embeds as Embed[] | undefined)?.[0]?.title).toContain(
        'PLEX_URL does not answer like a Plex Media Server',
      );
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
    const db = new BetterSqlite3(dbPath, { readonly: true });
    try {
      const runs = db.prepare('SELECT status FROM scan_runs ORDER BY id').all() as { status: string }[];
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(runs.some((r) => r.status === 'abandoned')).toBe(true);
      expect((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('Discord unreachable, the token rejected, or the bot not in the server at start: one clear line and the right exit code', async () => {
    const cases: [string, () => void, number, RegExp][] = [
      ['down', () => (discord.restDown = true), 3, /^Discord is not reachable right now \(HTTP 503\)/],
      [
        'token',
        () => (discord.acceptedToken = 'another-token'),
        2,
        /^Discord rejected DISCORD_TOKEN \(401\)/,
      ],
      [
        'not invited',
        () =>
          (discord.restFault = (method, path) =>
            method === 'PUT' && path.endsWith('/commands') ? 'forbid' : undefined),
        2,
        /^Discord refused to register the slash commands in DISCORD_GUILD_ID \(403/,
      ],
    ];
    for (const [name, breakIt, exitCode, message] of cases) {
      discord.restDown = false;
      discord.acceptedToken = undefined;
      discord.restFault = undefined;
      breakIt();
      const cli = spawnCli(['bot'], env(), dir.path);
      const { code } = await cli.exited;
      expect(code, name).toBe(exitCode);
      expect(cli.output.stderr, name).toMatch(message);
      expect(cli.output.stderr, name).not.toMatch(/\n\s+at /);
      expect(cli.output.stderr, name).not.toContain(TEST_DISCORD_TOKEN);
    }
  });

  it('Discord outage: alerts raised meanwhile arrive afterwards in order, exactly once; /status shows the queue', async () => {
    const { app, bot } = await start({ PLEX_TIMEOUT: '300ms' });
    await discord.waitFor((c) => c.method === 'PUT' && c.path.endsWith('/commands'));

    // Discord goes away: REST refuses, the gateway drops and refuses new sessions.
    discord.restDown = true;
    discord.gatewayDown = true;
    discord.dropGateway();
    await expect.poll(() => discord.connected).toBe(false);

    plex.state.token = 'rotated-token-000000';
    await runScheduledScan(app, bot.ctx.alerts); // new: token rejected
    plex.state.token = 'fake-plex-token-0123456789';
    await runScheduledScan(app, bot.ctx.alerts); // resolved
    plex.state.mode = 'hang';
    await runScheduledScan(app, bot.ctx.alerts); // new: not answering
    expect(bot.ctx.alerts.pending).toBe(3);
    expect(alerts()).toHaveLength(0);

    // Discord comes back, but still refuses channel messages for a while.
    discord.restFault = (method, path) =>
      method === 'POST' && /^\/channels\/\d+\/messages$/.test(path) ? 'refuse' : undefined;
    discord.restDown = false;
    discord.gatewayDown = false;
    await expect.poll(() => discord.ready, { timeout: 15_000 }).toBe(true);
    const status = async (): Promise<string | undefined> => {
      // Sent again once if unanswered: right after a reconnect the fake may dispatch before
      // discord.js has finished its handshake, which real Discord never does.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const { id } = discord.interaction({ name: 'status' });
        try {
          await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`), 5_000);
        } catch {
          continue;
        }
        const edit = await discord.waitFor(
          (c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original') && !seen.has(c),
          10_000,
        );
        seen.add(edit);
        const fields = (edit.body as PostBody).embeds?.[0]?.fields ?? [];
        return fields.find((f) => f.name === 'Alerts waiting for Discord')?.value;
      }
      throw new Error('/status was not answered after the reconnect');
    };
    const seen = new Set<unknown>();
    expect(await status()).toBe('3');

    // Fully back: the next gateway resume delivers the queue.
    discord.restFault = undefined;
    discord.dropGateway();
    await expect.poll(() => alerts().length, { timeout: 15_000 }).toBe(3);
    await expect.poll(() => bot.ctx.alerts.pending).toBe(0);
    expect(await status()).toBe('0');

    const posts = discord.callsTo('POST', /^\/channels\/\d+\/messages$/).map((c) => c.body as PostBody);
    const nonces = posts.map((b) => b.nonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(posts.every((b) => b.enforce_nonce === true)).toBe(true);
    const titles = alerts().map((m) => (m.embeds as Embed[])[0]?.title ?? '');
    expect(titles[0]).toContain('Plex rejects the configured token');
    expect(titles[1]).toMatch(/Resolved · Plex rejects the configured token/);
    expect(titles[2]).toContain('Plex Media Server is not answering');
  });

  it('after a full outage the reconnect alone delivers the queue promptly (no waiting for the retry timer)', async () => {
    const { app, bot } = await start();
    discord.restDown = true;
    discord.gatewayDown = true;
    discord.dropGateway();
    await expect.poll(() => discord.connected).toBe(false);
    plex.state.token = 'rotated-token-000000';
    await runScheduledScan(app, bot.ctx.alerts);
    expect(bot.ctx.alerts.pending).toBe(1);
    // Long enough for the client to give up resuming and start a new session.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    discord.restDown = false;
    discord.gatewayDown = false;
    await expect.poll(() => alerts().length, { timeout: 10_000 }).toBe(1);
    // The fake records the post when it takes it; the outbox deletes the row only once the
    // answer is back, a moment later under load. Both well within the 30 s retry timer.
    await expect.poll(() => bot.ctx.alerts.pending, { timeout: 2_000 }).toBe(0);
    expect(alerts()).toHaveLength(1);
  });

  it('a message Discord rejects as malformed (400) is set aside and does not block the alerts behind it', async () => {
    const { app, bot } = await start();
    discord.restFault = (method, path, body) =>
      method === 'POST' && path.endsWith('/messages') && JSON.stringify(body).includes('POISON')
        ? 'reject'
        : undefined;
    await bot.ctx.alerts.post([{ content: 'POISON', embeds: [] }]);
    plex.state.token = 'rotated-token-000000';
    await runScheduledScan(app, bot.ctx.alerts);
    expect(bot.ctx.alerts.pending).toBe(0);
    // Set aside is not silent: a short line says so, and /status counts it.
    expect(bot.ctx.alerts.setAside).toBe(1);
    expect(alerts()).toHaveLength(2);
    expect(alerts()[0]?.content).toMatch(
      /Discord refused an alert \(code 50035\) even on its own; it was set aside/,
    );
    expect((alerts()[1]?.embeds as Embed[] | undefined)?.[0]?.title).toContain(
      'Plex rejects the configured token',
    );
  });

  it('a channel the bot may not post in (403) keeps alerts queued until the permission is fixed', async () => {
    const { app, bot } = await start();
    discord.restFault = (method, path) =>
      method === 'POST' && path.endsWith('/messages') ? 'forbid' : undefined;
    plex.state.token = 'rotated-token-000000';
    await runScheduledScan(app, bot.ctx.alerts);
    expect(bot.ctx.alerts.pending).toBe(1);
    discord.restFault = undefined;
    await bot.ctx.alerts.flush();
    expect(alerts()).toHaveLength(1);
  });

  it('an answer lost on the way back does not post the alert twice (enforce_nonce)', async () => {
    const { app, bot } = await start();
    let lost = 0;
    discord.restFault = (method, path) => {
      if (method === 'POST' && /^\/channels\/\d+\/messages$/.test(path) && lost < 2) {
        lost += 1;
        return 'lose';
      }
      return undefined;
    };
    plex.state.token = 'rotated-token-000000';
    await runScheduledScan(app, bot.ctx.alerts);
    expect(bot.ctx.alerts.pending).toBe(1);
    // What the retry timer or the next gateway resume does; each attempt reuses the stored nonce.
    for (let i = 0; i < 5 && bot.ctx.alerts.pending > 0; i += 1) await bot.ctx.alerts.flush();
    expect(bot.ctx.alerts.pending).toBe(0);
    expect(lost).toBe(2);
    const posts = discord.callsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((c) => (c.body as PostBody).nonce)).size).toBe(1);
    expect(alerts()).toHaveLength(1);
  });

  it('Plex down for hours: many scheduled scans give one alert, not one per scan', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    plex.state.mode = 'hang';
    const { app, bot } = await start({ PLEX_TIMEOUT: '100ms' }, clock);
    for (let i = 0; i < 12; i += 1) {
      await runScheduledScan(app, bot.ctx.alerts);
      clock.advance(30 * 60_000); // every 30 minutes, for six hours
    }
    const messages = alerts();
    expect(messages).toHaveLength(1);
    expect((messages[0]?.embeds as Embed[] | undefined)?.[0]?.title).toContain(
      'Plex Media Server is not answering',
    );
    expect(app.repos.findings.open().filter((f) => f.checkId === 'plex-reachable')).toHaveLength(1);
    plex.state.mode = 'normal';
    await runScheduledScan(app, bot.ctx.alerts);
    expect(alerts()).toHaveLength(2);
    expect((alerts()[1]?.embeds as Embed[] | undefined)?.[0]?.title).toMatch(/Resolved/);
  });
});
