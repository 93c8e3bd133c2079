import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import { plexSessions, STOP_REASON } from '../../src/checks/plex-sessions.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { botEnv, TEST_IDS, tempDir, testContext } from '../harness/test-env.js';

interface Embed {
  fields?: { name: string; value: string }[];
}

const field = (embed: Embed | undefined, name: string) => embed?.fields?.find((f) => f.name === name)?.value;

/** A remote stream as /status/sessions lists it (home-assistant/core session_base.xml shape). */
const remoteStream = {
  title: 'Movie',
  User: { id: 7, title: 'stranger' },
  Player: {
    address: '198.51.100.4',
    local: 0,
    relayed: 0,
    secure: 1,
    product: 'Plex Web',
    platform: 'Chrome',
  },
  Session: { id: 'sess-42', location: 'wan', bandwidth: 4000 },
};

describe('stopping a stream end to end (real discord.js, fake Discord, fake Plex)', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    plex = new FakePlex();
    await Promise.all([discord.start(), plex.start()]);
    app = testContext(botEnv(discord, { databasePath: `${dir.path}/db.sqlite`, plexUrl: plex.url }), {
      checks: [plexSessions],
    });
    if (!app.config.discord) throw new Error('discord config missing');
    bot = await startBot(app, app.config.discord, { schedule: false });
  });

  afterEach(async () => {
    await bot?.stop();
    app?.close();
    await Promise.all([discord.stop(), plex.stop()]);
    dir.remove();
  });

  const scan = async () => {
    if (!app || !bot) throw new Error('not started');
    await runScheduledScan(app, bot.ctx.alerts, bot.ctx.board);
  };

  const lastEmbed = (messageId: string): Embed | undefined =>
    (
      discord.callsTo('PATCH', new RegExp(`^/channels/${TEST_IDS.channel}/messages/${messageId}$`)).at(-1)
        ?.body as { embeds?: Embed[] } | undefined
    )?.embeds?.[0];

  /** A remote stream → finding → proposal message (both reactions on it); returns its id. */
  const proposalForStream = async (): Promise<string> => {
    plex.state.sessions = [structuredClone(remoteStream)];
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    await scan();
    expect(app?.repos.findings.open().map((f) => f.fingerprint)).toEqual([
      'plex-sessions:remote:198.51.100.4_7',
    ]);
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(before + 2);
    const put = discord.callsTo('PUT', /\/reactions\//).at(-1);
    const id = put ? /\/messages\/(\d+)\/reactions\//.exec(put.path)?.[1] : undefined;
    if (!id) throw new Error('no proposal message');
    const text = JSON.stringify(discord.messages.get(id)?.embeds);
    expect(text).toContain('Stop the stream of stranger from 198.51.100.4?');
    expect(plex.state.terminated).toEqual([]);
    return id;
  };

  it('a remote stream → proposal → ✅ → Plex gets the terminate for that session with the reason → accepted', async () => {
    const messageId = await proposalForStream();
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [] });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(plex.state.terminated).toEqual([{ sessionId: 'sess-42', reason: STOP_REASON }]);
    const call = plex.requests.filter((r) => r.path === '/status/sessions/terminate');
    expect(call.map((r) => [r.method, r.hadToken, r.query.sessionId])).toEqual([['GET', true, 'sess-42']]);
    expect(field(lastEmbed(messageId), 'Outcome')).toMatch(
      /^Plex accepted: the stream of stranger from 198\.51\.100\.4 was stopped/,
    );
  });

  it('without Plex Pass the proposal fails and says Plex refused', async () => {
    plex.state.plexPass = false;
    const messageId = await proposalForStream();
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [] });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Failed');
    expect(plex.state.terminated).toEqual([]);
    expect(field(lastEmbed(messageId), 'Outcome')).toContain(
      'Plex refused (HTTP 403): stopping a stream needs Plex Pass, or the session has already ended.',
    );
  });

  it('a session that ended before the approval says so too', async () => {
    const messageId = await proposalForStream();
    plex.state.sessions = [];
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [] });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Failed');
    expect(field(lastEmbed(messageId), 'Outcome')).toContain('Plex refused (HTTP 404)');
  });

  it('/sessions lists the streams, remote first, deferred ephemeral and within Discord limits', async () => {
    const lan = {
      ...structuredClone(remoteStream),
      User: { id: 1, title: 'owner' },
      Player: { address: '192.168.1.50', local: 1, product: 'Plex for LG', platform: 'webOS' },
      Session: { id: 'lan-1', location: 'lan' },
    };
    const many = Array.from({ length: 40 }, (_, i) => ({
      ...structuredClone(remoteStream),
      title: `Movie ${i} ${'x'.repeat(150)}`,
      Session: { id: `s-${i}`, location: 'wan' },
    }));
    plex.state.sessions = [lan, ...many];
    const call = discord.interaction({
      name: 'sessions',
      options: [],
      userId: TEST_IDS.approverUser,
      roles: [],
    });
    const deferred = await discord.waitFor((c) => c.path.startsWith(`/interactions/${call.id}/`));
    expect((deferred.body as { data?: { flags?: number } }).data?.flags).toBe(64);
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.endsWith('/@original') && c.path.includes(call.token),
    );
    const embed = (edit.body as { embeds?: (Embed & { title?: string; footer?: { text: string } })[] })
      .embeds?.[0];
    expect(embed?.title).toBe('Streams now (41, 40 remote)');
    expect(embed?.fields?.[0]?.name).toMatch(/^Remote · stranger · Movie 0/);
    expect(embed?.fields?.length).toBeLessThanOrEqual(25);
    expect(embed?.footer?.text).toMatch(/^…and \d+ more$/);
    expect(JSON.stringify(embed).length).toBeLessThan(6_000);
  });

  it('/sessions is refused to someone who is not an approver', async () => {
    plex.state.sessions = [structuredClone(remoteStream)];
    const call = discord.interaction({
      name: 'sessions',
      options: [],
      userId: TEST_IDS.otherUser,
      roles: [],
    });
    const refused = await discord.waitFor((c) => c.path.startsWith(`/interactions/${call.id}/`));
    const body = refused.body as { data?: { flags?: number; content?: string } };
    expect(body.data?.flags).toBe(64);
    expect(body.data?.content).toMatch(/Only plex-warden approvers/);
    expect(plex.requests.some((r) => r.path === '/status/sessions')).toBe(false);
  });
});
