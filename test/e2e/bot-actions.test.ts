import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import type { BotHandle } from '../../src/app/bot.js';
import { toFinding } from '../../src/domain/finding.js';
import { FakeRemoteAccess } from '../harness/actions-fixture.js';
import { useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord, RecordedCall } from '../harness/fake-discord.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_IDS } from '../harness/test-env.js';

interface CallbackBody {
  type: number;
  data?: { content?: string; flags?: number };
}
interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}
interface MessageBody {
  content?: string;
  embeds?: Embed[];
}

const field = (embed: Embed | undefined, name: string) => embed?.fields?.find((f) => f.name === name)?.value;
const APPROVER = { userId: TEST_IDS.approverUser, roles: [] as string[] };
const ROLE_APPROVER = { userId: '700000000000000007', roles: [TEST_IDS.approverRole] };
const STRANGER = { userId: TEST_IDS.otherUser, roles: [] as string[] };

describe('actions end to end (real discord.js against the fake Discord, command firewall backend)', () => {
  const lab = useBotLab();
  let discord: FakeDiscord;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;
  let script: string;
  let log: string;
  let remote: FakeRemoteAccess;

  const options = (extra: Record<string, string>, clock?: ManualClock) => ({
    env: { FIREWALL_BACKEND: 'command', BLOCK_COMMAND: script, LAN_CIDRS: '192.168.1.0/24', ...extra },
    overrides: { remoteAccess: remote, ...(clock ? { clock } : {}) },
  });
  const start = async (extra: Record<string, string> = {}, clock?: ManualClock) => {
    ({ app, bot } = await lab.start(options(extra, clock)));
  };
  const restart = async (extra: Record<string, string> = {}) => {
    ({ app, bot } = await lab.restart(options(extra)));
  };

  /** Lines the firewall script was called with, one call per entry. */
  const scriptCalls = (): string[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('---\n')
          .filter(Boolean)
          .map((c) => c.trim().split('\n').join(' '))
      : [];

  const command = (name: string, options: unknown[], who: { userId: string; roles: string[] } = APPROVER) =>
    discord.interaction({ name, options, ...who });

  const reply = async (id: string): Promise<CallbackBody> =>
    (await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`))).body as CallbackBody;

  const messageEdits = (messageId: string): RecordedCall[] =>
    discord.callsTo('PATCH', new RegExp(`^/channels/${TEST_IDS.channel}/messages/${messageId}$`));

  const lastEmbed = (messageId: string): Embed | undefined =>
    (messageEdits(messageId).at(-1)?.body as MessageBody | undefined)?.embeds?.[0];

  /** The message the bot last reacted to: the newest proposal. */
  const lastProposalMessageId = (): string => {
    const put = discord.callsTo('PUT', /\/reactions\//).at(-1);
    const id = put ? /\/messages\/(\d+)\/reactions\//.exec(put.path)?.[1] : undefined;
    if (!id) throw new Error('no proposal message');
    return id;
  };

  /** Runs /block and returns the proposal message id once both reactions are on it. */
  const proposeBlock = async (ip: string, extra: unknown[] = []): Promise<string> => {
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    const { id } = command('block', [{ name: 'ip', type: 3, value: ip }, ...extra]);
    expect((await reply(id)).type).toBe(5);
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(before + 2);
    return lastProposalMessageId();
  };

  beforeEach(() => {
    discord = lab.discord;
    script = join(lab.dir, 'block.sh');
    log = join(lab.dir, 'block.log');
    writeFileSync(
      script,
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done\necho --- >> '${log}'\n`,
    );
    chmodSync(script, 0o755);
    remote = new FakeRemoteAccess();
  });

  it('registers the action commands', async () => {
    await start();
    const put = await discord.waitFor((c) => c.method === 'PUT' && c.path.endsWith('/commands'));
    expect((put.body as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['block', 'unblock', 'blocks', 'allow', 'allowlist', 'remote-access']),
    );
  });

  it('/block → proposal with ✅ ❌ → a stranger’s ✅ does nothing → an approver’s ✅ runs it → outcome shown', async () => {
    await start();
    const messageId = await proposeBlock('203.0.113.7', [
      { name: 'duration', type: 3, value: '2h' },
      { name: 'reason', type: 3, value: 'forty failed sign-ins' },
    ]);
    const reactions = discord.callsTo('PUT', /\/reactions\//).map((c) => c.path);
    expect(reactions).toEqual([
      `/channels/${TEST_IDS.channel}/messages/${messageId}/reactions/✅/@me`,
      `/channels/${TEST_IDS.channel}/messages/${messageId}/reactions/❌/@me`,
    ]);
    // The row existed before the message: created, then posted (with the message id).
    const proposal = app?.actions.proposals.byMessageId(messageId);
    expect(proposal).toMatchObject({ status: 'pending', requestedBy: TEST_IDS.approverUser });
    expect(app?.actions.audit.forProposal(proposal?.id ?? -1).map((e) => e.action)).toEqual([
      'proposal.created',
      'proposal.posted',
    ]);
    const posted = discord.messages.get(messageId);
    expect((posted?.embeds[0] as Embed | undefined)?.description).toMatch(
      /^Block 203\.0\.113\.7 for 2h: forty failed sign-ins/,
    );
    const ephemeral = await discord.waitFor((c) => c.method === 'PATCH' && c.path.endsWith('/@original'));
    expect((ephemeral.body as MessageBody).content).toMatch(
      /Proposal #1 to block 203\.0\.113\.7 for 2h is waiting/,
    );

    discord.react({ messageId, emoji: '✅', ...STRANGER });
    await discord.waitFor(
      (c) => c.method === 'DELETE' && c.path.endsWith(`/reactions/✅/${TEST_IDS.otherUser}`),
    );
    expect(scriptCalls()).toEqual([]);
    expect(app?.actions.proposals.byMessageId(messageId)?.status).toBe('pending');

    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 203.0.113.7 7200']);
    const embed = lastEmbed(messageId);
    expect(field(embed, 'Outcome')).toMatch(
      /^Blocked 203\.0\.113\.7 for 2h \(until <t:\d+:f>\) with command\./,
    );
    expect(field(embed, 'Approvals')).toBe(`1/1: <@${TEST_IDS.approverUser}>`);

    const blocks = command('blocks', []);
    await reply(blocks.id);
    const list = await discord.waitFor(
      (c) =>
        c.method === 'PATCH' &&
        c.path.endsWith('/@original') &&
        c.at >= Date.now() - 5_000 &&
        /Active blocks/.test(JSON.stringify(c.body)),
    );
    expect((list.body as MessageBody).embeds?.[0]?.fields?.[0]?.name).toBe('203.0.113.7');
  });

  it('approval still works after a restart, on a message the new client never cached', async () => {
    await start();
    const messageId = await proposeBlock('198.51.100.23');
    await restart();
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 198.51.100.23 86400']);
    expect(app?.actions.bans.active().map((b) => b.target)).toEqual(['198.51.100.23']);
  });

  it('✅ given while the bot was stopped runs the proposal after the restart (new session, nothing replayed)', async () => {
    await start();
    const messageId = await proposeBlock('198.51.100.24');
    await lab.stopBot();
    // The approver reacts while no session exists: Discord stores it and sends no event.
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER, silently: true });
    discord.react({ messageId, emoji: '✅', ...STRANGER, silently: true });
    const identifies = discord.identifies;
    await restart();
    expect(discord.identifies).toBe(identifies + 1);
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 198.51.100.24 86400']);
    // The stranger's ✅ counted for nothing; read back again on the next session, it runs nothing twice.
    discord.invalidateSessions();
    await expect.poll(() => discord.identifies, { timeout: 10_000 }).toBe(identifies + 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(scriptCalls()).toEqual(['block 198.51.100.24 86400']);
  });

  it('a lost answer to a proposal post leaves one message, not two', async () => {
    await start();
    let lost = false;
    discord.restFault = (method, path, body) => {
      if (lost || method !== 'POST' || !/^\/channels\/\d+\/messages$/.test(path)) return undefined;
      if (!JSON.stringify(body).includes('198.51.100.25')) return undefined;
      lost = true;
      return 'lose';
    };
    const messageId = await proposeBlock('198.51.100.25');
    const posts = discord.channelMessages().filter((m) => JSON.stringify(m.embeds).includes('198.51.100.25'));
    expect(discord.callsTo('POST', /^\/channels\/\d+\/messages$/).length).toBeGreaterThanOrEqual(2);
    expect(posts.map((m) => m.id)).toEqual([messageId]);
  });

  it('buttons: a stranger’s Approve gets an ephemeral refusal and changes nothing; an approver’s runs it; then both are disabled', async () => {
    await start();
    const messageId = await proposeBlock('198.51.100.26');
    const proposal = app?.actions.proposals.byMessageId(messageId);
    const approve = `pw-proposal:approve:${proposal?.id}`;
    const denied = discord.click({ messageId, customId: approve, ...STRANGER });
    await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${denied.token}/messages/@original`),
    );
    expect((await reply(denied.id)).data?.flags).toBe(64);
    const refusal = discord.callsTo('PATCH', new RegExp(`/${denied.token}/messages/@original$`)).at(-1);
    expect((refusal?.body as { content?: string } | undefined)?.content).toMatch(
      /Only plex-warden approvers/,
    );
    expect(app?.actions.proposals.byMessageId(messageId)?.status).toBe('pending');
    expect(scriptCalls()).toEqual([]);
    discord.click({ messageId, customId: approve, ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 198.51.100.26 86400']);
    const rows = discord.messages.get(messageId)?.components as { components: { disabled?: boolean }[] }[];
    expect(rows[0]?.components.map((b) => b.disabled)).toEqual([true, true]);
    expect(() => discord.click({ messageId, customId: approve, ...ROLE_APPROVER })).toThrow(
      /no enabled button/,
    );
  });

  it('buttons: Cancel from an approver cancels; nothing runs', async () => {
    await start();
    const messageId = await proposeBlock('198.51.100.27');
    const proposal = app?.actions.proposals.byMessageId(messageId);
    discord.click({ messageId, customId: `pw-proposal:cancel:${proposal?.id}`, ...APPROVER });
    await expect
      .poll(() => app?.actions.proposals.byMessageId(messageId)?.status, { timeout: 5_000 })
      .toBe('cancelled');
    expect(scriptCalls()).toEqual([]);
  });

  it('two approvers reacting in the same instant run the action once', async () => {
    await start();
    const messageId = await proposeBlock('203.0.113.50');
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    await new Promise((r) => setTimeout(r, 200));
    expect(scriptCalls()).toEqual(['block 203.0.113.50 86400']);
    const proposal = app?.actions.proposals.byMessageId(messageId);
    expect(
      app?.actions.audit.forProposal(proposal?.id ?? -1).filter((e) => e.action === 'proposal.running'),
    ).toHaveLength(1);
  });

  it('needs APPROVALS_REQUIRED distinct approvers', async () => {
    await start({ APPROVALS_REQUIRED: '2' });
    const messageId = await proposeBlock('203.0.113.51');
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Approvals'), { timeout: 5_000 }).toMatch(/^1\/2/);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await new Promise((r) => setTimeout(r, 200));
    expect(scriptCalls()).toEqual([]);
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toHaveLength(1);
  });

  it('an approval whose giver lost the approver role is dropped when the proposal would run, and it waits', async () => {
    await start({ APPROVALS_REQUIRED: '2' });
    const THIRD = { userId: '700000000000000009', roles: [TEST_IDS.approverRole] };
    discord.memberRoles.set(ROLE_APPROVER.userId, [TEST_IDS.approverRole]);
    discord.memberRoles.set(THIRD.userId, [TEST_IDS.approverRole]);
    const messageId = await proposeBlock('203.0.113.59');
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Approvals'), { timeout: 5_000 }).toMatch(/^1\/2/);
    // The server admin takes the approver role away; Discord now reports the member without it.
    discord.memberRoles.set(ROLE_APPROVER.userId, []);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect
      .poll(() => field(lastEmbed(messageId), 'Note'), { timeout: 5_000 })
      .toMatch(new RegExp(`Approval dropped: <@${ROLE_APPROVER.userId}> is no longer an approver`));
    expect(field(lastEmbed(messageId), 'Status')).toBe('Waiting for approval');
    expect(field(lastEmbed(messageId), 'Approvals')).toMatch(/^1\/2/);
    await new Promise((r) => setTimeout(r, 200));
    expect(scriptCalls()).toEqual([]);
    discord.react({ messageId, emoji: '✅', ...THIRD });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 203.0.113.59 86400']);
    const statuses = messageEdits(messageId).map((c) => field((c.body as MessageBody).embeds?.[0], 'Status'));
    // "Running…" is shown once the claim succeeds, before the outcome.
    expect(statuses.slice(-2)).toEqual(['Running…', 'Done']);
  });

  it('an approver who removes their ✅ before the proposal runs withdraws the approval', async () => {
    await start({ APPROVALS_REQUIRED: '2' });
    const messageId = await proposeBlock('203.0.113.58');
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Approvals'), { timeout: 5_000 }).toMatch(/^1\/2/);
    discord.dispatch('MESSAGE_REACTION_REMOVE', {
      user_id: APPROVER.userId,
      channel_id: TEST_IDS.channel,
      message_id: messageId,
      guild_id: TEST_IDS.guild,
      emoji: { id: null, name: '✅' },
      burst: false,
      type: 0,
    });
    await expect.poll(() => field(lastEmbed(messageId), 'Approvals'), { timeout: 5_000 }).toMatch(/^0\/2/);
    discord.react({ messageId, emoji: '✅', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Approvals'), { timeout: 5_000 }).toMatch(/^1\/2/);
    await new Promise((r) => setTimeout(r, 200));
    expect(scriptCalls()).toEqual([]);
  });

  it('❌ from an approver cancels; a later ✅ never runs it', async () => {
    await start();
    const messageId = await proposeBlock('203.0.113.52');
    discord.react({ messageId, emoji: '❌', ...STRANGER });
    await discord.waitFor(
      (c) => c.method === 'DELETE' && c.path.endsWith(`/reactions/❌/${TEST_IDS.otherUser}`),
    );
    discord.react({ messageId, emoji: '❌', ...ROLE_APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Cancelled');
    expect(field(lastEmbed(messageId), 'Cancelled by')).toBe(`<@${ROLE_APPROVER.userId}>`);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await new Promise((r) => setTimeout(r, 300));
    expect(scriptCalls()).toEqual([]);
    expect(app?.actions.proposals.byMessageId(messageId)?.status).toBe('cancelled');
  });

  it('an expired proposal never runs, and its message says so', async () => {
    const clock = new ManualClock(Date.now());
    await start({ PROPOSAL_TTL: '10m' }, clock);
    const messageId = await proposeBlock('203.0.113.53');
    clock.advance(11 * 60_000);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect
      .poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 })
      .toBe('Expired — nothing was done');
    expect(scriptCalls()).toEqual([]);
  });

  it('the expiry sweep closes an unanswered proposal and edits its message, without any reaction', async () => {
    const clock = new ManualClock(Date.now());
    await start({ PROPOSAL_TTL: '10m' }, clock);
    const messageId = await proposeBlock('203.0.113.55');
    clock.advance(10 * 60_000);
    await app?.actions.sweep();
    await expect
      .poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 })
      .toBe('Expired — nothing was done');
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await new Promise((r) => setTimeout(r, 200));
    expect(scriptCalls()).toEqual([]);
  });

  it('lifts a ban by itself when it ends (the scheduler calls the backend to unblock)', async () => {
    await start();
    const messageId = await proposeBlock('203.0.113.56', [{ name: 'duration', type: 3, value: '1s' }]);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    await expect.poll(() => app?.actions.bans.active().length, { timeout: 5_000 }).toBe(0);
    expect(scriptCalls()).toEqual(['block 203.0.113.56 1', 'unblock 203.0.113.56 0']);
    expect(app?.actions.audit.recent(1)[0]).toMatchObject({ action: 'ban.expired', target: '203.0.113.56' });
  });

  it('ignores the bot’s own and other bots’ reactions', async () => {
    await start();
    const messageId = await proposeBlock('203.0.113.54');
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.bot, bot: true });
    discord.react({
      messageId,
      emoji: '✅',
      userId: '800000000000000008',
      roles: [TEST_IDS.approverRole],
      bot: true,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(scriptCalls()).toEqual([]);
    expect(app?.actions.proposals.byMessageId(messageId)?.approvers).toEqual([]);
  });

  it.each([
    ['1.2.3.4;touch /tmp/pw-pwned', /not an IPv4\/IPv6 address/],
    ['$(id)', /not an IPv4\/IPv6 address/],
    ['0.0.0.0/0', /every address/],
    ['127.0.0.1', /loopback/],
    ['192.168.1.20', /household LAN|private address/],
  ])('refuses /block %s ephemerally and posts nothing', async (ip, message) => {
    await start();
    const { id } = command('block', [{ name: 'ip', type: 3, value: ip }]);
    const body = await reply(id);
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(64);
    expect(body.data?.content).toMatch(message);
    await new Promise((r) => setTimeout(r, 100));
    expect(discord.callsTo('POST', /\/channels\/\d+\/messages$/)).toEqual([]);
    expect(scriptCalls()).toEqual([]);
    expect(existsSync('/tmp/pw-pwned')).toBe(false);
  });

  it('refuses a bad duration and a non-approver’s /block', async () => {
    await start();
    const bad = command('block', [
      { name: 'ip', type: 3, value: '203.0.113.7' },
      { name: 'duration', type: 3, value: 'forever' },
    ]);
    expect((await reply(bad.id)).data?.content).toMatch(/duration must look like/);
    const stranger = command('block', [{ name: 'ip', type: 3, value: '203.0.113.7' }], STRANGER);
    expect((await reply(stranger.id)).data?.content).toMatch(/Only plex-warden approvers/);
    expect(discord.callsTo('POST', /\/channels\/\d+\/messages$/)).toEqual([]);
  });

  it('refuses zero-padded IPv4 in /block and /unblock of every address, and proposes nothing', async () => {
    await start();
    const padded = command('block', [{ name: 'ip', type: 3, value: '010.0.0.1' }]);
    expect((await reply(padded.id)).data?.content).toMatch(/leading zeros.*write 10\.0\.0\.1/);
    for (const everything of ['0.0.0.0/0', '::/0']) {
      const un = command('unblock', [{ name: 'ip', type: 3, value: everything }]);
      expect((await reply(un.id)).data?.content).toMatch(/is every address/);
    }
    const all = command('allow', [{ name: 'cidr', type: 3, value: '::/0' }]);
    expect((await reply(all.id)).data?.content).toMatch(/every address/);
    expect(discord.callsTo('POST', /\/channels\/\d+\/messages$/)).toEqual([]);
    expect(scriptCalls()).toEqual([]);
  });

  it('force lets an approved proposal block a LAN address', async () => {
    await start();
    const messageId = await proposeBlock('192.168.1.20', [{ name: 'force', type: 5, value: true }]);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 192.168.1.20 86400']);
  });

  it('/allow of one address is direct; /block of it is then refused; /unblock runs by approval', async () => {
    await start();
    const allowed = command('allow', [
      { name: 'cidr', type: 3, value: '198.51.100.7' },
      { name: 'note', type: 3, value: 'office' },
    ]);
    await reply(allowed.id);
    await expect
      .poll(() => discord.callsTo('PATCH', /@original$/).map((c) => (c.body as MessageBody).content ?? ''))
      .toContainEqual('198.51.100.7 is now on the allow-list (office).');
    expect(app?.actions.audit.recent(1)[0]).toMatchObject({
      action: 'allowlist.added',
      target: '198.51.100.7',
    });
    const refused = command('block', [{ name: 'ip', type: 3, value: '198.51.100.7' }]);
    expect((await reply(refused.id)).data?.content).toMatch(/allow-list entry 198\.51\.100\.7/);

    const messageId = await proposeBlock('203.0.113.60');
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    const un = command('unblock', [{ name: 'ip', type: 3, value: '203.0.113.60' }]);
    await reply(un.id);
    await expect.poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 }).toBe(4);
    const second = lastProposalMessageId();
    discord.react({ messageId: second, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(second), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 203.0.113.60 86400', 'unblock 203.0.113.60 0']);
    expect(app?.actions.bans.active()).toEqual([]);
  });

  it('/allow of a range is a proposal: /allow 0.0.0.0/1 needs force, then changes nothing until approved', async () => {
    await start();
    const wide = command('allow', [{ name: 'cidr', type: 3, value: '0.0.0.0/1' }]);
    expect((await reply(wide.id)).data?.content).toMatch(/wider than \/16.*force/);
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    const forced = command('allow', [
      { name: 'cidr', type: 3, value: '0.0.0.0/1' },
      { name: 'force', type: 5, value: true },
    ]);
    expect((await reply(forced.id)).type).toBe(5);
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(before + 2);
    const allowMessage = lastProposalMessageId();
    expect(app?.actions.allowlist.all()).toEqual([]);
    // Until approved, blocking inside the range still works as before.
    expect(app?.actions.bans.check('1.2.3.4').ok).toBe(true);
    discord.react({ messageId: allowMessage, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(allowMessage), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(app?.actions.allowlist.cidrs()).toEqual(['0.0.0.0/1']);
    const refused = command('block', [{ name: 'ip', type: 3, value: '1.2.3.4' }]);
    expect((await reply(refused.id)).data?.content).toMatch(/allow-list entry 0\.0\.0\.0\/1/);
    // A /28 needs no force but is still a proposal.
    const small = command('allow', [{ name: 'cidr', type: 3, value: '198.51.100.0/28' }]);
    await reply(small.id);
    await expect
      .poll(() => discord.callsTo('PATCH', /@original$/).map((c) => (c.body as MessageBody).content ?? ''))
      .toContainEqual(expect.stringMatching(/to allow-list 198\.51\.100\.0\/28 is waiting/));
    expect(app?.actions.allowlist.cidrs()).toEqual(['0.0.0.0/1']);
  });

  it('/remote-access status answers directly; off runs through a proposal', async () => {
    await start();
    const status = command('remote-access', [{ name: 'status', type: 1, options: [] }]);
    await reply(status.id);
    await expect
      .poll(() => discord.callsTo('PATCH', /@original$/).map((c) => (c.body as MessageBody).content ?? ''))
      .toContainEqual('Remote access: **on**.\nRemote access is on.');
    const off = command('remote-access', [{ name: 'off', type: 1, options: [] }]);
    await reply(off.id);
    await expect.poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 }).toBe(2);
    const messageId = lastProposalMessageId();
    expect(remote.calls).toEqual([]);
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(remote.calls).toEqual(['off']);
    expect(field(lastEmbed(messageId), 'Outcome')).toMatch(
      /Remote access is off\.\nPreference off; router mapping/,
    );
    const on = command('remote-access', [
      { name: 'on', type: 1, options: [{ name: 'for', type: 3, value: 'a while' }] },
    ]);
    expect((await reply(on.id)).data?.content).toMatch(/`for` must be a duration/);
  });

  it('a finding that suggests a block posts a proposal; with AUTO_BLOCK a severe one is blocked at once', async () => {
    await start({ AUTO_BLOCK: 'true', AUTO_BLOCK_MIN_SEVERITY: 'critical' });
    const finding = (key: string, ip: string, severity: 'high' | 'critical') =>
      toFinding('ssh-brute-force', {
        key,
        severity,
        title: `${ip} failed 40 sign-ins in 5 min`,
        evidence: 'auth.log',
        fix: 'block it',
        action: { kind: 'block-ip', ip, durationMs: 86_400_000, reason: 'brute force' },
      });
    const report = await bot?.ctx.board.proposeSuggestedActions([
      finding('a', '203.0.113.70', 'high'),
      finding('b', '203.0.113.71', 'critical'),
      finding('c', '192.168.1.9', 'critical'),
    ]);
    expect(report?.proposed.map((p) => p.action)).toMatchObject([
      { kind: 'block-ip', target: '203.0.113.70' },
    ]);
    expect(report?.autoBlocked).toEqual(['203.0.113.71']);
    expect(report?.skipped).toHaveLength(1);
    expect(scriptCalls()).toEqual(['block 203.0.113.71 86400']);
    // Proposed again on the next scan: not doubled.
    const again = await bot?.ctx.board.proposeSuggestedActions([finding('a', '203.0.113.70', 'high')]);
    expect(again?.proposed).toEqual([]);
    const messageId = report?.proposed[0]?.messageId ?? '';
    const embed = discord.messages.get(messageId)?.embeds[0] as Embed;
    expect(field(embed, 'Requested by')).toBe('a finding (ssh-brute-force:a)');
    expect(embed.description).toBe(
      '203.0.113.70 failed 40 sign-ins in 5 min (high). Block 203.0.113.70 for 1d? Reason: brute force',
    );
    discord.react({ messageId, emoji: '✅', ...APPROVER });
    await expect.poll(() => field(lastEmbed(messageId), 'Status'), { timeout: 5_000 }).toBe('Done');
    expect(scriptCalls()).toEqual(['block 203.0.113.71 86400', 'block 203.0.113.70 86400']);
  });

  it('two findings that ask to stop the same stream make one proposal; the second says why', async () => {
    await start();
    const stop = (check: string, key: string) =>
      toFinding(check, {
        key,
        severity: 'medium',
        title: `alice streams from 203.0.113.90 (${check})`,
        evidence: 'session 42',
        fix: 'stop it',
        action: {
          kind: 'stop-stream',
          sessionId: '42',
          user: 'alice',
          address: '203.0.113.90',
          reason: 'sharing',
        },
      });
    const report = await bot?.ctx.board.proposeSuggestedActions([
      stop('plex-sessions', 'a'),
      stop('plex-account-signals', 'b'),
    ]);
    expect(report?.proposed.map((p) => p.action)).toMatchObject([{ kind: 'stop-stream', sessionId: '42' }]);
    expect(report?.skipped).toEqual([
      { fingerprint: 'plex-account-signals:b', reason: 'a proposal to stop this stream is already waiting' },
    ]);
  });
});
