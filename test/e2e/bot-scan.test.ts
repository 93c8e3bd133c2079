import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import type { BotHandle } from '../../src/app/bot.js';
import { plexReachable } from '../../src/checks/plex-reachable.js';
import type { Check } from '../../src/checks/types.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord } from '../harness/fake-discord.js';
import type { FakePlex } from '../harness/fake-plex.js';
import { TEST_DISCORD_TOKEN, TEST_IDS } from '../harness/test-env.js';

interface CallbackBody {
  type: number;
  data?: { content?: string; flags?: number };
}
interface MessageBody {
  content?: string;
  embeds?: {
    title?: string;
    description?: string;
    color?: number;
    fields?: { name: string; value: string }[];
    author?: { name: string };
  }[];
}

describe('bot end to end (real discord.js against the fake Discord)', () => {
  const lab = useBotLab();
  let discord: FakeDiscord;
  let plex: FakePlex;
  let app: AppContext;
  let bot: BotHandle;

  const start = async (extra: Record<string, string> = {}, schedule = false, checks?: readonly Check[]) => {
    ({ app, bot } = await lab.start({ env: extra, schedule, overrides: checks ? { checks } : {} }));
  };

  beforeEach(() => {
    discord = lab.discord;
    plex = lab.plex;
  });

  it('registers the slash commands to the configured guild with the bot token', async () => {
    await start();
    const put = await discord.waitFor((c) => c.method === 'PUT' && c.path.endsWith('/commands'));
    expect(put.path).toBe(`/applications/${TEST_IDS.application}/guilds/${TEST_IDS.guild}/commands`);
    expect(put.authorization).toBe(`Bot ${TEST_DISCORD_TOKEN}`);
    expect((put.body as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['scan', 'status', 'help']),
    );
    // Least privilege: hidden from members without Manage Guild (1 << 5), and only the intents
    // the bot uses: Guilds (1 << 0) and GuildMessageReactions (1 << 10), no GuildMessages.
    for (const command of put.body as { default_member_permissions?: string }[])
      expect(command.default_member_permissions).toBe(String(1 << 5));
    expect(discord.lastIntents).toBe((1 << 0) | (1 << 10));
  });

  it('/scan with 40 findings with long evidence shows all 40, over as many messages as it takes', async () => {
    const many: Check = {
      id: 'many',
      title: 'many',
      async run() {
        return Array.from({ length: 40 }, (_, i) => ({
          key: `k${i}`,
          severity: 'high' as const,
          title: `Finding number ${i}`,
          evidence: 'e'.repeat(900),
          fix: 'f'.repeat(200),
        }));
      },
    };
    await start({}, false, [many]);
    const { token } = discord.interaction({ name: 'scan', userId: TEST_IDS.approverUser });
    await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/@original`),
      15_000,
    );
    await expect
      .poll(
        () =>
          discord.calls
            .filter((c) => c.path.includes(`/${token}`) && c.method !== 'GET')
            .flatMap((c) => (c.body as MessageBody).embeds ?? [])
            .flatMap((e) => e.fields ?? [])
            .filter((f) => /Finding number \d+/.test(f.name)).length,
        { timeout: 10_000 },
      )
      .toBe(40);
  });

  it('answers /scan from an approver: defers first, then edits the reply with the findings embed', async () => {
    plex.state.token = 'rotated-token-000000';
    await start();
    const { id } = discord.interaction({
      name: 'scan',
      userId: TEST_IDS.otherUser,
      roles: [TEST_IDS.approverRole],
    });
    const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    expect((callback.body as CallbackBody).type).toBe(5);
    expect(callback.authorization).toBeUndefined();
    const edit = await discord.waitFor((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'));
    expect(edit.at).toBeGreaterThanOrEqual(callback.at);
    const embed = (edit.body as MessageBody).embeds?.[0];
    expect(embed?.title).toMatch(/^Scan #\d+$/);
    expect(embed?.color).toBe(0xe53935);
    expect(embed?.fields?.[0]?.name).toContain('Plex rejects the configured token');
    expect(embed?.fields?.[0]?.value).toMatch(/How to fix:/);
    expect(plex.requests.length).toBeGreaterThan(0);
  });

  it('accepts an approver by user id without the role', async () => {
    // Only plex-reachable: the full set reports info findings (GDM on, public IP unknown) here.
    await start({}, false, [plexReachable]);
    const { id } = discord.interaction({ name: 'scan', userId: TEST_IDS.approverUser, roles: [] });
    const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    expect((callback.body as CallbackBody).type).toBe(5);
    const edit = await discord.waitFor((c) => c.method === 'PATCH');
    expect((edit.body as MessageBody).embeds?.[0]?.description).toContain('No findings');
  });

  it('refuses a non-approver with an ephemeral reply and runs nothing', async () => {
    await start();
    const { id } = discord.interaction({ name: 'scan', userId: TEST_IDS.otherUser, roles: [] });
    const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    const body = callback.body as CallbackBody;
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(64);
    expect(body.data?.content).toMatch(/Only plex-warden approvers/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(plex.requests).toHaveLength(0);
    expect(app.repos.scanRuns.latest()).toBeUndefined();
  });

  it('refuses commands from another guild and from direct messages', async () => {
    await start();
    const other = discord.interaction({
      name: 'scan',
      userId: TEST_IDS.approverUser,
      guildId: '210000000000000021',
    });
    const dm = discord.interaction({ name: 'scan', userId: TEST_IDS.approverUser, guildId: null });
    for (const { id } of [other, dm]) {
      const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
      expect((callback.body as CallbackBody).data?.flags).toBe(64);
      expect((callback.body as CallbackBody).data?.content).toMatch(/only takes commands in the server/);
    }
    expect(plex.requests).toHaveLength(0);
  });

  it('explains a bad /scan argument ephemerally and runs nothing', async () => {
    await start();
    const { id } = discord.interaction({
      name: 'scan',
      options: [{ name: 'check', type: 3, value: '@everyone; rm -rf /' }],
    });
    const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    const body = callback.body as CallbackBody;
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(64);
    expect(body.data?.content).toMatch(/There is no check called/);
    expect(plex.requests).toHaveLength(0);
  });

  it('says so when a scan is already running instead of starting a second one', async () => {
    plex.state.mode = 'slow';
    plex.state.slowMs = 400;
    await start();
    const first = discord.interaction({ name: 'scan' });
    await discord.waitFor((c) => c.path.startsWith(`/interactions/${first.id}/`));
    discord.interaction({ name: 'scan' });
    const edits = async () => discord.callsTo('PATCH', /@original$/);
    await expect.poll(async () => (await edits()).length, { timeout: 5_000 }).toBe(2);
    const contents = (await edits()).map((c) => (c.body as MessageBody).content ?? '');
    expect(contents.some((c) => /already running/.test(c))).toBe(true);
  });

  it('posts a scheduled scan to the alert channel, nothing when unchanged, and "resolved" when fixed', async () => {
    plex.state.token = 'rotated-token-000000';
    await start();
    await runScheduledScan(app, bot.ctx.alerts);
    const first = discord.channelMessages();
    expect(first).toHaveLength(1);
    const embeds = first[0]?.embeds as MessageBody['embeds'];
    expect(embeds?.[0]?.author?.name).toMatch(/1 new/);
    expect(embeds?.[0]?.title).toContain('Plex rejects the configured token');

    await runScheduledScan(app, bot.ctx.alerts);
    expect(discord.channelMessages()).toHaveLength(1);

    plex.state.token = 'fake-plex-token-0123456789';
    await runScheduledScan(app, bot.ctx.alerts);
    const messages = discord.channelMessages();
    expect(messages).toHaveLength(2);
    const resolved = messages[1]?.embeds as MessageBody['embeds'];
    expect(resolved?.[0]?.title).toMatch(/Resolved · Plex rejects the configured token/);
    expect(resolved?.[0]?.author?.name).toMatch(/1 resolved/);
  });

  it('/scan also posts what changed to the alert channel once; the next scheduled scan stays quiet', async () => {
    plex.state.token = 'rotated-token-000000';
    await start();
    const alerts = () => discord.callsTo('POST', new RegExp(`^/channels/${TEST_IDS.channel}/messages$`));
    discord.interaction({ name: 'scan', options: [{ name: 'check', type: 3, value: 'plex-reachable' }] });
    await expect.poll(() => alerts().length, { timeout: 5_000 }).toBe(1);
    const embeds = (alerts()[0]?.body as MessageBody | undefined)?.embeds;
    expect(embeds?.[0]?.title).toContain('Plex rejects the configured token');
    await runScheduledScan(app, bot.ctx.alerts);
    expect(alerts()).toHaveLength(1);
  });

  it('runs scans on the configured schedule', async () => {
    plex.state.mode = 'hang';
    await start({ SCAN_SCHEDULE: '* * * * * *', PLEX_TIMEOUT: '200ms' }, true);
    await expect.poll(() => discord.channelMessages().length, { timeout: 5_000 }).toBeGreaterThan(0);
    const embeds = discord.channelMessages()[0]?.embeds as MessageBody['embeds'];
    expect(embeds?.[0]?.title).toContain('Plex Media Server is not answering');
  });
});
