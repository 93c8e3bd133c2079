import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import { FakeDiscord, type RecordedCall } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { botEnv, TEST_IDS, tempDir, testContext } from '../harness/test-env.js';

const GRACE_S = 2;

const posted = (c: RecordedCall, text: string) =>
  c.method === 'POST' &&
  c.path === `/channels/${TEST_IDS.channel}/messages` &&
  JSON.stringify(c.body).includes(text);

/** The whole bot between scans: what the Plex websocket and /identity tell it, nothing else. */
describe('live Plex events end to end (no scan due)', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let app: AppContext;
  let bot: BotHandle | undefined;

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    await discord.start();
    plex = new FakePlex();
    await plex.start();
    const env = botEnv(
      discord,
      { databasePath: `${dir.path}/db.sqlite`, plexUrl: plex.url },
      // Far in the future: only live events can post anything during the test.
      { SCAN_SCHEDULE: '0 0 29 2 1', PLEX_DOWN_GRACE: `${GRACE_S}s`, PLEX_TIMEOUT: '500ms' },
    );
    app = testContext(env);
    if (!app.config.discord) throw new Error('discord config missing');
    bot = await startBot(app, app.config.discord, { schedule: true });
    const deadline = Date.now() + 5_000;
    while (plex.sockets.length === 0) {
      if (Date.now() > deadline) throw new Error('the bot never opened the notification socket');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    app?.close();
    await discord.stop();
    await plex.stop();
    dir.remove();
  });

  it('posts "not answering" within PLEX_DOWN_GRACE + 15 s of Plex stopping, and "resolved" when it is back', async () => {
    expect(plex.sockets[0]?.token).toBe(plex.state.token);
    expect(plex.sockets[0]?.url).not.toContain('Token');
    await plex.stop();
    const stoppedAt = Date.now();
    const down = await discord.waitFor(
      (c) => posted(c, 'Plex Media Server is not answering'),
      (GRACE_S + 15) * 1_000,
    );
    expect(down.at - stoppedAt).toBeLessThan((GRACE_S + 15) * 1_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(GRACE_S * 1_000 - 100);
    await plex.start();
    const back = await discord.waitFor(
      (c) => c.at > down.at && posted(c, 'Resolved · Plex Media Server is not answering'),
      15_000,
    );
    expect(back.at).toBeGreaterThan(down.at);
  }, 45_000);

  it('a Plex that hangs without closing its socket (half-open) is reported within PLEX_DOWN_GRACE + 15 s', async () => {
    // Nothing closes: the socket stays up but silent and HTTP requests hang. Only the keep-alive
    // pings notice it.
    plex.silence();
    plex.state.mode = 'hang';
    const hungAt = Date.now();
    const down = await discord.waitFor(
      (c) => posted(c, 'Plex Media Server is not answering'),
      (GRACE_S + 15) * 1_000,
    );
    expect(down.at - hungAt).toBeLessThan((GRACE_S + 15) * 1_000);
    plex.state.mode = 'normal';
    await discord.waitFor(
      (c) => c.at > down.at && posted(c, 'Resolved · Plex Media Server is not answering'),
      15_000,
    );
  }, 45_000);

  it('alerts a remote stream from a new address within 5 s of the playing notification', async () => {
    // The first socket open learns what is playing (nothing): wait for that baseline run.
    const deadline = Date.now() + 5_000;
    while (!plex.requests.some((r) => r.path === '/status/sessions')) {
      if (Date.now() > deadline) throw new Error('no baseline sessions read');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    plex.state.sessions = [
      {
        title: 'Movie',
        User: { id: 9, title: 'stranger' },
        Player: {
          address: '198.51.100.50',
          local: 0,
          remotePublicAddress: '198.51.100.50',
          relayed: 0,
          secure: 1,
          product: 'Plex Web',
          platform: 'Chrome',
        },
        Session: { id: 'x1', location: 'wan', bandwidth: 4000 },
      },
    ];
    const sent = Date.now();
    plex.notifyPlaying('41');
    const alert = await discord.waitFor((c) => posted(c, '198.51.100.50'), 5_000);
    expect(alert.at - sent).toBeLessThan(5_000);
    expect(JSON.stringify(alert.body)).toContain('never seen before');
  }, 20_000);

  it('reports remote access lost once, after PLEX_DOWN_GRACE, and resolved when it is back; blips say nothing', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', true);
    plex.state.myplexAccount = {
      ...plex.state.myplexAccount,
      mappingState: 'mapped',
      publicAddress: '203.0.113.7',
      publicPort: 32400,
    };
    const title = 'Plex Remote Access is down';
    const downPosts = () =>
      discord.calls.filter((c) => posted(c, title) && !posted(c, `Resolved · ${title}`));
    // A blip: unreachable, then back well within the grace.
    plex.notifyReachability(false);
    await new Promise((r) => setTimeout(r, 300));
    plex.notifyReachability(true);
    await new Promise((r) => setTimeout(r, GRACE_S * 1_000 + 500));
    expect(downPosts()).toEqual([]);

    plex.notifyReachability(false);
    const lostAt = Date.now();
    const down = await discord.waitFor((c) => posted(c, title), (GRACE_S + 15) * 1_000);
    expect(down.at - lostAt).toBeGreaterThanOrEqual(GRACE_S * 1_000 - 100);
    // Plex repeating itself is not news.
    plex.notifyReachability(false);
    plex.notifyReachability(false);
    await new Promise((r) => setTimeout(r, GRACE_S * 1_000 + 500));
    expect(downPosts()).toHaveLength(1);

    plex.notifyReachability(true);
    const back = await discord.waitFor((c) => c.at > down.at && posted(c, `Resolved · ${title}`), 10_000);
    expect(back.at).toBeGreaterThan(down.at);
    expect(downPosts()).toHaveLength(1);
  }, 45_000);
});
