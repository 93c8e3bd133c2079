import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import { plexAccount } from '../../src/checks/plex-account.js';
import { plexAccountDevices } from '../../src/checks/plex-account-devices.js';
import { plexShares } from '../../src/checks/plex-shares.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { createLogger } from '../../src/kernel/logger.js';
import { runCliInProcess } from '../harness/cli-runner.js';
import { FakeDiscord, type RecordedCall } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { FakePlexTvFeeds } from '../harness/fake-plex-tv-feeds.js';
import { accountDevice, ownedServer, sharedUser } from '../harness/plex-account-fixtures.js';
import { botEnv, TEST_IDS, tempDir, testContext } from '../harness/test-env.js';

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}

const field = (embed: Embed | undefined, name: string) => embed?.fields?.find((f) => f.name === name)?.value;
const checks = [plexAccount, plexAccountDevices, plexShares];

describe('the Plex account end to end (real discord.js, fake Discord, fake Plex, fake plex.tv)', () => {
  let dir: ReturnType<typeof tempDir>;
  let discord: FakeDiscord;
  let plex: FakePlex;
  let plexTv: FakePlexTvFeeds;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;
  let logs: string;

  const env = () =>
    botEnv(
      discord,
      { databasePath: `${dir.path}/db.sqlite`, plexUrl: plex.url },
      { PLEX_TV_URL: plexTv.url, LOG_LEVEL: 'debug' },
    );

  beforeEach(async () => {
    dir = tempDir();
    discord = new FakeDiscord();
    plex = new FakePlex();
    plexTv = new FakePlexTvFeeds();
    await Promise.all([discord.start(), plex.start(), plexTv.start()]);
    plexTv.state.resources = ownedServer();
    const recent = { lastSeenAt: Math.floor(Date.now() / 1_000) - 3_600 };
    plexTv.account.devices = [accountDevice('Living room TV', recent), accountDevice('Old laptop', recent)];
    logs = '';
    const stream = new Writable({
      write(chunk, _e, done) {
        logs += String(chunk);
        done();
      },
    });
    app = testContext(env(), {
      checks,
      logger: createLogger({ level: 'debug', format: 'json', secrets: [], stream }),
    });
    if (!app.config.discord) throw new Error('discord config missing');
    bot = await startBot(app, app.config.discord, { schedule: false });
  });

  afterEach(async () => {
    await bot?.stop();
    app?.close();
    await Promise.all([discord.stop(), plex.stop(), plexTv.stop()]);
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

  /** Every byte the bot sent to Discord (REST bodies; the gateway carries nothing of ours). */
  const discordTraffic = () => JSON.stringify(discord.calls.map((c: RecordedCall) => c.body));

  it('a new device → medium finding and a sign-out proposal saying it changes the account → ✅ sends the DELETE for that device only → the next scan resolves it; no token anywhere', async () => {
    await scan();
    expect(app?.repos.findings.open().map((f) => f.fingerprint) ?? []).toEqual([]);

    const intruder = accountDevice('DESKTOP-7QX', {
      product: 'Plex Web',
      platform: 'Chrome',
      publicAddress: '203.0.113.77',
    });
    plexTv.account.devices.push(intruder);
    const reactionsBefore = discord.callsTo('PUT', /\/reactions\//).length;
    await scan();
    const open = app?.repos.findings.open() ?? [];
    expect(open.map((f) => [f.fingerprint, f.severity])).toEqual([
      [`plex-account-devices:new:${intruder.id}`, 'medium'],
    ]);
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(reactionsBefore + 2);
    const put = discord.callsTo('PUT', /\/reactions\//).at(-1);
    const messageId = put ? /\/messages\/(\d+)\/reactions\//.exec(put.path)?.[1] : undefined;
    if (!messageId) throw new Error('no proposal message');
    const posted = discord.messages.get(messageId);
    const text = JSON.stringify(posted?.embeds);
    expect(text).toContain('DESKTOP-7QX');
    expect(text).toContain("changes the owner's plex.tv account");

    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [] });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(plexTv.account.changes).toEqual([{ method: 'DELETE', path: `/devices/${intruder.id}.xml` }]);
    expect(plexTv.account.devices.map((d) => d.name)).toEqual(['Living room TV', 'Old laptop']);
    expect(field(lastEmbed(messageId), 'Outcome')).toMatch(/plex\.tv answered HTTP 200/);
    // Only the owner's token went to plex.tv.
    expect(new Set(plexTv.account.tokensSeen)).toEqual(new Set([plexTv.account.ownerToken]));

    await scan();
    expect(app?.repos.findings.open() ?? []).toEqual([]);

    // No device token in the database, the logs or anything sent to Discord.
    const tokens = [...plexTv.account.devices, intruder].map((d) => d.token);
    const database = readFileSync(`${dir.path}/db.sqlite`).toString('latin1');
    const wal = (() => {
      try {
        return readFileSync(`${dir.path}/db.sqlite-wal`).toString('latin1');
      } catch {
        return '';
      }
    })();
    expect(logs.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(database).not.toContain(token);
      expect(wal).not.toContain(token);
      expect(logs).not.toContain(token);
      expect(discordTraffic()).not.toContain(token);
    }
  });

  it('`scan --json` shows the new device without its token', async () => {
    await bot?.stop();
    bot = undefined;
    app?.close();
    app = undefined;
    const cliEnv = env();
    const first = await runCliInProcess(['scan', '--json', '--check', 'plex-account-devices'], cliEnv);
    expect(first.code).toBe(0);
    const intruder = accountDevice('Stranger phone');
    plexTv.account.devices.push(intruder);
    const second = await runCliInProcess(['scan', '--json', '--check', 'plex-account-devices'], cliEnv);
    expect(second.stdout).toContain('Stranger phone');
    for (const d of plexTv.account.devices) {
      expect(second.stdout + second.stderr + first.stdout + first.stderr).not.toContain(d.token);
    }
  });

  /** The newest proposal message, once both reactions are on it. */
  const newestProposal = async (reactionsBefore: number): Promise<string> => {
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(reactionsBefore + 2);
    const put = discord.callsTo('PUT', /\/reactions\//).at(-1);
    const id = put ? /\/messages\/(\d+)\/reactions\//.exec(put.path)?.[1] : undefined;
    if (!id) throw new Error('no proposal message');
    return id;
  };

  const APPROVER = { userId: TEST_IDS.approverUser, roles: [] as string[] };

  it('a new friend with all libraries → medium finding → its removal proposal approved removes that share only', async () => {
    plexTv.account.users = [sharedUser(101, 'grandma')];
    await scan();
    const stranger = sharedUser(103, 'stranger');
    const [server] = stranger.servers;
    if (server) server.allLibraries = true;
    plexTv.account.users.push(stranger);
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    await scan();
    expect(app?.repos.findings.open().map((f) => f.severity)).toEqual(['medium']);
    const messageId = await newestProposal(before);
    expect(JSON.stringify(discord.messages.get(messageId)?.embeds)).toContain(
      "Remove the access of stranger? This changes the owner's plex.tv account",
    );
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(plexTv.account.changes).toEqual([{ method: 'DELETE', path: '/api/v2/sharings/103' }]);
    expect(plexTv.account.users.map((u) => u.username)).toEqual(['grandma']);
    expect(field(lastEmbed(messageId), 'Outcome')).toMatch(/plex\.tv answered HTTP 204/);
  });

  it('/devices lists the signed-in devices within Discord limits, without tokens, and proposes a sign-out', async () => {
    for (let i = 0; i < 28; i += 1) plexTv.account.devices.push(accountDevice(`Device ${i}`));
    const list = discord.interaction({
      name: 'devices',
      options: [{ name: 'list', type: 1, options: [] }],
      ...APPROVER,
    });
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.endsWith('/@original') && c.path.includes(list.token),
    );
    const embed = (edit.body as { embeds?: Embed[] }).embeds?.[0] as
      | (Embed & { footer?: { text: string } })
      | undefined;
    expect(embed?.title).toBe('Devices signed in to the Plex account (30)');
    expect(embed?.fields).toHaveLength(20);
    expect(embed?.footer?.text).toBe('…and 10 more');
    expect(JSON.stringify(edit.body).length).toBeLessThan(6_000);
    expect(JSON.stringify(edit.body)).not.toMatch(/SECRET/);

    const target = plexTv.account.devices[0];
    if (!target) throw new Error('fixture');
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    discord.interaction({
      name: 'devices',
      options: [{ name: 'sign-out', type: 1, options: [{ name: 'id', type: 3, value: String(target.id) }] }],
      ...APPROVER,
    });
    const messageId = await newestProposal(before);
    expect(JSON.stringify(discord.messages.get(messageId)?.embeds)).toContain(
      "changes the owner's plex.tv account",
    );
    expect(plexTv.account.changes).toEqual([]);
  });

  it("/devices and /shares refuse, saying why, when PLEX_TOKEN is not the owner's", async () => {
    plexTv.state.resources = ownedServer(false);
    const devices = discord.interaction({
      name: 'devices',
      options: [{ name: 'list', type: 1, options: [] }],
      ...APPROVER,
    });
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.endsWith('/@original') && c.path.includes(devices.token),
    );
    expect(JSON.stringify(edit.body)).toContain("PLEX_TOKEN is not the server owner's");
    expect(plexTv.requests.some((r) => r.path === '/devices.xml')).toBe(false);
  });

  it('/shares lists friends and home users with what they may do', async () => {
    plexTv.account.users = [
      sharedUser(101, 'grandma', { allowSync: true }),
      sharedUser(102, 'kid', { home: true, restricted: true }),
    ];
    const shares = discord.interaction({ name: 'shares', ...APPROVER });
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.endsWith('/@original') && c.path.includes(shares.token),
    );
    const embed = (edit.body as { embeds?: Embed[] }).embeds?.[0];
    expect(embed?.title).toBe('Shares of the Plex server (2)');
    expect(embed?.description).toBe(
      '• grandma (friend): 2 libraries, downloads allowed\n• kid (managed home user): 2 libraries',
    );
  });

  it('an approved sign-out asks again that the token is the owner’s, and changes nothing when it is not', async () => {
    await scan();
    plexTv.account.devices.push(accountDevice('Late newcomer'));
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    await scan();
    const messageId = await newestProposal(before);
    plexTv.state.resources = ownedServer(false);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Failed');
    expect(field(lastEmbed(messageId), 'Outcome')).toContain("PLEX_TOKEN is not the server owner's");
    expect(plexTv.account.changes).toEqual([]);
  });
});
