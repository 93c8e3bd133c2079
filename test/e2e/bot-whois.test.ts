import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedLength } from '../../src/alerts/embeds.js';
import type { AppContext } from '../../src/app/app-context.js';
import { toFinding } from '../../src/domain/finding.js';
import { filledReply, useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord, StoredMessage } from '../harness/fake-discord.js';
import { FakeInternetDb } from '../harness/fake-internetdb.js';
import { reviewedSource, seedFacts } from '../harness/report-seed.js';
import { TEST_IDS } from '../harness/test-env.js';

interface Embed {
  title?: string;
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}
interface Button {
  custom_id: string;
  label: string;
}

const APPROVER: { userId: string; roles: string[] } = { userId: TEST_IDS.approverUser, roles: [] };
const ROLE_APPROVER = { userId: '700000000000000007', roles: [TEST_IDS.approverRole] };
const STRANGER = { userId: TEST_IDS.otherUser, roles: [] as string[] };
const HOUR = 3_600_000;
const IP = '203.0.113.7';
const LABEL = '203.0.113.7 · AS64500 Example Hosting · NL';

/** A stream from the address as /status/sessions lists it (home-assistant/core session_base.xml shape). */
const stream = {
  title: 'Movie',
  User: { id: 9, title: 'cousin' },
  Player: { address: IP, local: 0, relayed: 0, secure: 1, product: 'Plex Web', platform: 'Chrome' },
  Session: { id: 'sess-9', location: 'wan', bandwidth: 4000 },
};

describe('/whois end to end (real discord.js, strict fake Discord, fake Plex, fake InternetDB)', () => {
  const lab = useBotLab({ plex: { sessions: [stream] } });
  const internetDb = new FakeInternetDb();
  let discord: FakeDiscord;
  let app: AppContext;

  beforeEach(async () => {
    await internetDb.start();
    discord = lab.discord;
    ({ app } = await lab.start({
      env: { FIREWALL_BACKEND: 'none', WHOIS_INTERNETDB: 'true', INTERNETDB_URL: internetDb.url },
      overrides: { addressFacts: seedFacts },
    }));
  });
  afterEach(() => internetDb.stop());

  const filled = (id: string) => filledReply(discord, id);
  const whois = (ip: string, who = APPROVER) =>
    discord.interaction({ name: 'whois', options: [{ name: 'ip', type: 3, value: ip }], ...who });
  const embedOf = (m: StoredMessage) => m.embeds[0] as Embed;
  const field = (m: StoredMessage, prefix: string) =>
    embedOf(m).fields?.find((f) => f.name.startsWith(prefix));
  const buttons = (m: StoredMessage) =>
    (m.components as { components: Button[] }[]).flatMap((row) => row.components);
  const click = async (m: StoredMessage, label: string, who = APPROVER) => {
    const button = buttons(m).find((b) => b.label === label);
    if (!button) throw new Error(`no button ${label}`);
    return (await filled(discord.click({ messageId: m.id, customId: button.custom_id, ...who }).id)).content;
  };

  const ban = (target: string, reason: string, createdAt = app.clock.now()) =>
    app.repos.bans.insertReplacing({
      target,
      reason,
      origin: 'command',
      requestedBy: TEST_IDS.approverUser,
      proposalId: undefined,
      backend: 'none',
      level: 0,
      createdAt,
      expiresAt: createdAt + 24 * HOUR,
    });
  const finding = (ip: string, key = ip) =>
    toFinding('probing', {
      key: `plex:${key}`,
      severity: 'high',
      title: `Probing from ${ip} on plex`,
      evidence: 'asked for 30 paths that do not exist',
      fix: 'approve the block',
    });

  /** What a log review would have stored for the address: counts, days, a window and a first sighting. */
  const seedLogs = (now: number) => {
    app.repos.logReview.commit(
      {
        source: reviewedSource('plex'),
        writeStates: (write) => {
          const window = {
            times: [now - 60_000],
            flaggedAt: now,
            total: 31,
            firstAt: now - 300_000,
            lastAt: now - 60_000,
            note: 'admin',
          };
          write('brute-force', { ip: IP, state: JSON.stringify(window), lastAt: now - 60_000 });
          write('first-seen-remote', {
            ip: IP,
            state: JSON.stringify({ firstAt: now - 2 * HOUR, flagged: true, user: 'cousin' }),
            lastAt: now - 2 * HOUR,
          });
        },
        counts: new Map([[IP, { failures: 31, clientErrors: 12, badTokens: 0, lastAt: now - 60_000 }]]),
        countsBound: { maxAddresses: 100_000, seenAfter: Number.NEGATIVE_INFINITY },
        daily: new Map([['2026-11-30', new Map([[IP, { failures: 31, clientErrors: 12 }]])]]),
        findings: [],
      },
      now,
    );
  };

  it('refuses a non-approver privately, and explains a bad address without running anything', async () => {
    const refused = await filled(whois(IP, STRANGER).id);
    expect(refused.flags & 64).toBe(64);
    expect(refused.content).toMatch(/Only plex-warden approvers/);
    expect(refused.embeds).toEqual([]);
    for (const [bad, why] of [
      ['example.com', /is not an IPv4 or IPv6 address/],
      ['010.0.0.1', /leading zeros/],
      ['0.0.0.0/0', /not a range/],
    ] as const) {
      const reply = await filled(whois(bad).id);
      expect(reply.flags & 64, bad).toBe(64);
      expect(reply.content, bad).toMatch(why);
      expect(reply.components, bad).toEqual([]);
    }
    expect(app.actions.proposals.pendingCount()).toBe(0);
    expect(internetDb.requests).toEqual([]);
  });

  it('shows an approver every section for an address with a ban, a finding, an allow entry, logs and a stream', async () => {
    const now = app.clock.now();
    ban(IP, 'probing on plex');
    app.repos.allowlist.upsert({
      cidr: '203.0.113.0/24',
      note: 'the cousin’s provider',
      addedBy: 'x',
      addedAt: now,
    });
    // As /allow does: the scope re-reads the allow-list at once.
    app.scope.refresh();
    app.repos.findings.apply({
      runId: null,
      completedSources: [],
      findings: [finding(IP), finding('203.0.113.70')],
      now,
    });
    seedLogs(now);
    const reply = await filled(whois(IP).id);
    expect(reply.flags & 64).toBe(64);
    expect(embedOf(reply).title).toBe(LABEL);
    const names = (embedOf(reply).fields ?? []).map((f) => f.name);
    expect(names).toEqual([
      'Address',
      'Seen in the logs (1)',
      'Detector windows (2)',
      'Findings (1)',
      'Bans (1)',
      'Allow-list entries (1)',
      'Plex sessions now (1)',
      'Accounts seen from it (2)',
      'InternetDB',
    ]);
    expect(field(reply, 'Address')?.value).toMatch(
      /Scope: allowed .*\nNetwork: AS64500 Example Hosting, country NL/,
    );
    expect(field(reply, 'Seen in the logs')?.value).toMatch(
      /^plex: first 2026-11-30, last .* · 31 failures, 12 4xx, 0 bad tokens$/,
    );
    expect(field(reply, 'Detector windows')?.value).toMatch(
      /plex brute-force: 31 in its window, .* · over the threshold · account "admin"/,
    );
    expect(field(reply, 'Detector windows')?.value).toMatch(
      /plex first-seen-remote: first seen .* \(reported\) · account "cousin"/,
    );
    // Exact: the finding of 203.0.113.70 is not this address's.
    expect(field(reply, 'Findings')?.value).toMatch(/^\[open\] high Probing from 203\.0\.113\.7 on plex/);
    expect(field(reply, 'Bans')?.value).toMatch(/^Banned now: yes, until .* \(probing on plex\)\n#1 /);
    expect(field(reply, 'Allow-list entries')?.value).toBe('203.0.113.0/24: the cousin’s provider');
    expect(field(reply, 'Plex sessions now')?.value).toBe('cousin · Movie · Plex Web on Chrome');
    expect(field(reply, 'Accounts seen from it')?.value).toBe('cousin\nadmin');
    expect(field(reply, 'InternetDB')?.value).toBe('not asked: not a public address');
    expect(buttons(reply).map((b) => b.label)).toEqual(['Propose block', 'Propose allow-list entry']);
    // Already trusted through its range, already blocked: neither button proposes anything.
    expect(await click(reply, 'Propose allow-list entry')).toBe(
      '203.0.113.7 is already on the allow-list (203.0.113.0/24); nothing proposed.',
    );
    expect(await click(reply, 'Propose block')).toMatch(/^Not proposed: /);
    expect(app.actions.proposals.pendingCount()).toBe(0);
  });

  it('asks InternetDB about a public IPv4 address only', async () => {
    internetDb.answers.set('8.8.4.4', { ports: [53, 443], hostnames: ['dns.google'] });
    const v4 = await filled(whois('8.8.4.4').id);
    expect(field(v4, 'InternetDB')?.value).toBe(
      'ports: 53, 443\nhostnames: dns.google\ntags: none\nvulns: none',
    );
    const v6 = await filled(whois('2001:4860:4860::8844').id);
    expect(field(v6, 'InternetDB')?.value).toBe('not asked: InternetDB covers IPv4 only');
    expect(internetDb.requests).toEqual(['8.8.4.4']);
  });

  it('buttons propose a block and an allow-list entry once each; both run only when approved, re-checked then', async () => {
    const target = '203.0.113.9';
    const reply = await filled(whois(target).id);
    expect(await click(reply, 'Propose block', STRANGER)).toMatch(/Only plex-warden approvers/);
    expect(app.actions.proposals.pendingCount()).toBe(0);

    // Two approvers clicking in the same instant: one proposal, the other told it is waiting.
    const both = await Promise.all([
      click(reply, 'Propose block'),
      click(reply, 'Propose block', ROLE_APPROVER),
    ]);
    expect(
      both.filter((t) => /^Proposal #1 to block 203\.0\.113\.9 is waiting in <#\d+> for 1 approval/.test(t)),
    ).toHaveLength(1);
    expect(both.filter((t) => /already waiting/.test(t))).toHaveLength(1);
    expect(await click(reply, 'Propose allow-list entry')).toMatch(
      /^Proposal #2 to allow-list 203\.0\.113\.9 is waiting/,
    );
    expect(await click(reply, 'Propose allow-list entry')).toMatch(/already waiting/);
    const block = app.actions.proposals.byId(1);
    const allow = app.actions.proposals.byId(2);
    expect(block?.action).toMatchObject({ kind: 'block-ip', target, force: false });
    expect(allow?.action).toMatchObject({ kind: 'allow-cidr', cidr: target, force: false });
    expect(app.actions.proposals.pendingCount()).toBe(2);
    // Nothing changed yet: widening trust waits for approval like a block.
    expect(app.actions.allowlist.cidrs()).not.toContain(target);
    expect(app.repos.bans.activeFor(target)).toBeUndefined();

    // Approving the allow-list entry first: the block, approved next, is refused when it runs.
    discord.click({
      messageId: allow?.messageId ?? '',
      customId: `pw-proposal:approve:${allow?.id}`,
      ...APPROVER,
    });
    await expect.poll(() => app.actions.proposals.byId(2)?.status, { timeout: 5_000 }).toBe('done');
    expect(app.actions.allowlist.cidrs()).toContain(target);
    discord.click({
      messageId: block?.messageId ?? '',
      customId: `pw-proposal:approve:${block?.id}`,
      ...APPROVER,
    });
    await expect.poll(() => app.actions.proposals.byId(1)?.status, { timeout: 5_000 }).toBe('failed');
    expect(app.repos.bans.activeFor(target)).toBeUndefined();

    // The block policy of /block applies to the button: a private address is never proposed.
    const lan = await filled(whois('10.0.0.5').id);
    expect(await click(lan, 'Propose block')).toMatch(/^Not proposed: /);
    expect(app.actions.proposals.byId(3)).toBeUndefined();
  });

  it('cuts a too-long answer with a note instead of having Discord refuse it', async () => {
    const now = app.clock.now();
    for (let i = 0; i < 120; i += 1)
      ban(IP, `${'repeated probing of the login page '.repeat(3)}#${i}`, now - (120 - i) * HOUR);
    const many = Array.from({ length: 80 }, (_, i) => finding(IP, `${IP}:${i}`));
    app.repos.findings.apply({ runId: null, completedSources: [], findings: many, now });
    const reply = await filled(whois(IP).id);
    const embed = embedOf(reply);
    expect(embedLength(embed)).toBeLessThanOrEqual(6_000);
    expect(field(reply, 'Bans')?.value).toMatch(/…and \d+ more$/);
    expect(field(reply, 'Findings (80)')?.value).toMatch(/…and \d+ more$/);
    expect(embed.footer?.text).toMatch(/cut to fit Discord; `plex-warden whois IP` prints everything/);
    expect(buttons(reply)).toHaveLength(2);
  });
});
