import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NftablesBackend } from '../../src/adapters/firewall/nftables.js';
import type { AppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import { systemClock } from '../../src/kernel/clock.js';
import { createLogger } from '../../src/kernel/logger.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { buildFirewallLab, type FirewallLab } from '../harness/firewall-lab.js';
import { NetnsLab } from '../harness/netns-lab.js';
import { describeSystem } from '../harness/system-gate.js';
import { TEST_DISCORD_TOKEN, TEST_IDS, tempDir, testContext, testEnv } from '../harness/test-env.js';

interface Embed {
  fields?: { name: string; value: string }[];
}

/**
 * The whole path with a real firewall: the bot (real discord.js against the loopback fake
 * Discord; discovery and NAT-PMP off) runs `nft` inside the router namespace of a firewall lab.
 * /block → ✅ by an approver → the address is in the real nftables set → its traffic is dropped
 * on the input and the forward path while another source still gets 200 → the message shows
 * the outcome. A restart with an emptied table re-applies the ban from the database.
 */
describeSystem('/block end to end with the nftables backend in namespaces', ['nft', 'ip', 'curl'], () => {
  const lab = new NetnsLab('botnft');
  let net: FirewallLab;
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;

  const nft = () =>
    new NftablesBackend({
      table: 'plex_warden',
      nft: ['ip', 'netns', 'exec', net.router, 'nft'],
      timeoutMs: 5_000,
      clock: systemClock,
    });

  /** Every warning and error the bot logged, as JSON lines. */
  let logged: string[] = [];

  const start = async () => {
    const env = testEnv({
      databasePath: `${dir.path}/db.sqlite`,
      plexUrl: plex.url,
      DISCORD_TOKEN: TEST_DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: TEST_IDS.application,
      DISCORD_GUILD_ID: TEST_IDS.guild,
      ALERT_CHANNEL_ID: TEST_IDS.channel,
      APPROVER_USER_IDS: TEST_IDS.approverUser,
      DISCORD_API_URL: discord.apiUrl,
      FIREWALL_BACKEND: 'nftables',
    });
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logged.push(...chunk.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'warn', format: 'json', secrets: [], stream });
    app = testContext(env, { firewall: nft(), logger });
    if (!app.config.discord) throw new Error('discord config missing');
    bot = await startBot(app, app.config.discord, { schedule: false });
  };

  const stop = async () => {
    await bot?.stop();
    app?.close();
    bot = undefined;
    app = undefined;
  };

  const statusField = (messageId: string) => {
    const edit = discord
      .callsTo('PATCH', new RegExp(`^/channels/${TEST_IDS.channel}/messages/${messageId}$`))
      .at(-1);
    return ((edit?.body as { embeds?: Embed[] } | undefined)?.embeds?.[0]?.fields ?? []).find(
      (f) => f.name === 'Status',
    )?.value;
  };

  beforeAll(async () => {
    net = await buildFirewallLab(lab);
    dir = tempDir();
    discord = new FakeDiscord();
    await discord.start();
    plex = new FakePlex();
    await plex.start();
  });

  afterAll(async () => {
    await stop();
    await discord?.stop();
    await plex?.stop();
    dir?.remove();
    lab.cleanup();
  });

  it('blocks an approved address in the real set: dropped on input and forward, others still pass', async () => {
    await start();
    expect(net.status(net.atk, net.forwardUrl)).toBe('200');
    discord.interaction({
      name: 'block',
      options: [{ name: 'ip', type: 3, value: '203.0.113.7' }],
      userId: TEST_IDS.approverUser,
    });
    await expect.poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 }).toBe(2);
    const messageId =
      /\/messages\/(\d+)\/reactions\//.exec(discord.callsTo('PUT', /\/reactions\//)[0]?.path ?? '')?.[1] ??
      '';
    // A stranger's ✅ changes nothing in the firewall.
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.otherUser });
    await discord.waitFor(
      (c) => c.method === 'DELETE' && c.path.includes(`/reactions/✅/${TEST_IDS.otherUser}`),
    );
    expect(lab.exec(net.router, 'nft', ['list', 'set', 'inet', 'plex_warden', 'blocked4'])).not.toMatch(
      /203\.0\.113\.7/,
    );

    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser });
    await expect.poll(() => statusField(messageId), { timeout: 10_000 }).toBe('Done');
    expect(lab.exec(net.router, 'nft', ['list', 'set', 'inet', 'plex_warden', 'blocked4'])).toMatch(
      /203\.0\.113\.7 timeout 1d expires/,
    );
    expect(net.status(net.atk, net.inputUrl)).toBe('blocked');
    expect(net.status(net.atk, net.forwardUrl)).toBe('blocked');
    expect(net.status(net.good, net.inputUrl)).toBe('200');
    expect(net.status(net.good, net.forwardUrl)).toBe('200');
  });

  it('re-applies the ban on start after the firewall lost it (reboot), and reports the drift', async () => {
    await stop();
    lab.exec(net.router, 'nft', ['delete', 'table', 'inet', 'plex_warden']);
    expect(net.status(net.atk, net.forwardUrl)).toBe('200');
    const before = discord.callsTo('POST', /\/channels\/\d+\/messages$/).length;
    await start();
    expect(net.status(net.atk, net.forwardUrl)).toBe('blocked');
    await expect
      .poll(() => discord.callsTo('POST', /\/channels\/\d+\/messages$/).length, { timeout: 5_000 })
      .toBe(before + 1);
    const notice = discord.callsTo('POST', /\/channels\/\d+\/messages$/).at(-1)?.body as { content?: string };
    expect(notice.content).toMatch(/Firewall check on start \(nftables\): re-applied 203\.0\.113\.7/);
  });

  it('a /24 ban with a 2 s timeout expires: the bot records it ended, /unblock says "not blocked", no error repeats', async () => {
    logged = [];
    const reactions = discord.callsTo('PUT', /\/reactions\//).length;
    const asked = discord.interaction({
      name: 'block',
      options: [
        { name: 'ip', type: 3, value: '203.0.113.0/24' },
        { name: 'duration', type: 3, value: '2s' },
      ],
      userId: TEST_IDS.approverUser,
    });
    await discord.waitFor((c) => c.path.startsWith(`/interactions/${asked.id}/`));
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(reactions + 2);
    const messageId =
      /\/messages\/(\d+)\/reactions\//.exec(
        discord.callsTo('PUT', /\/reactions\//).at(-1)?.path ?? '',
      )?.[1] ?? '';
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser });
    await expect.poll(() => statusField(messageId), { timeout: 10_000 }).toBe('Done');
    expect(lab.exec(net.router, 'nft', ['list', 'set', 'inet', 'plex_warden', 'blockednet4'])).toMatch(
      /203\.0\.113\.0\/24 timeout 2s/,
    );
    // nft drops the element by itself; the bot's own timer then removes it (already gone).
    await expect
      .poll(() => app?.actions.bans.active().map((b) => b.target), { timeout: 10_000, interval: 200 })
      .not.toContain('203.0.113.0/24');
    const ended = app?.actions.audit.recent(20).filter((e) => e.target === '203.0.113.0/24');
    expect(ended?.map((e) => e.action)).toContain('ban.expired');
    expect(ended?.map((e) => e.action)).not.toContain('ban.removal-stuck');

    const un = discord.interaction({
      name: 'unblock',
      options: [{ name: 'ip', type: 3, value: '203.0.113.0/24' }],
      userId: TEST_IDS.approverUser,
    });
    await expect
      .poll(
        () =>
          discord
            .callsTo('PATCH', /@original$/)
            .map((c) => (c.body as { content?: string }).content ?? '')
            .concat(
              discord
                .callsTo('POST', new RegExp(`/interactions/${un.id}/`))
                .map((c) => (c.body as { data?: { content?: string } }).data?.content ?? ''),
            ),
        { timeout: 5_000 },
      )
      .toContainEqual(expect.stringMatching(/203\.0\.113\.0\/24 is not blocked/));
    expect(discord.callsTo('PUT', /\/reactions\//).length).toBe(reactions + 2);
    // Wait past the old 5 s retry period: nothing about this ban is logged again.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(logged.filter((line) => line.includes('203.0.113.0/24'))).toEqual([]);
    expect(logged.filter((line) => /"level":"error"/.test(line))).toEqual([]);
  });
});
