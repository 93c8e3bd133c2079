import { beforeEach, describe, expect, it } from 'vitest';
import { parseBlockTarget } from '../../src/actions/block-policy.js';
import type { AppContext } from '../../src/app/app-context.js';
import { toFinding } from '../../src/domain/finding.js';
import { filledReply, useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord, StoredMessage } from '../harness/fake-discord.js';
import { TEST_IDS } from '../harness/test-env.js';

interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}

const APPROVER = { userId: TEST_IDS.approverUser, roles: [] as string[] };
const HOUR = 3_600_000;

/**
 * Replies that list things, each with more than fits one Discord message: every one is accepted
 * by the strict fake (no 400) and says how many it left out.
 */
describe('replies that list things stay within Discord limits and say when they are cut', () => {
  const lab = useBotLab();
  let discord: FakeDiscord;
  let app: AppContext;

  beforeEach(async () => {
    discord = lab.discord;
    ({ app } = await lab.start({ env: { FIREWALL_BACKEND: 'none' } }));
  });

  /** Runs a command and returns its reply as Discord stored it, once the bot has filled it in. */
  const run = async (name: string, options: unknown[] = []): Promise<StoredMessage> => {
    const reply = await filledReply(discord, discord.interaction({ name, options, ...APPROVER }).id);
    expect(JSON.stringify(reply)).not.toMatch(/Something went wrong/);
    return reply;
  };

  const ban = (target: string, i: number) =>
    app.repos.bans.insertReplacing({
      target,
      reason: `brute force from ${target}: ${'failed sign-in '.repeat(12)}`,
      origin: 'command',
      requestedBy: TEST_IDS.approverUser,
      proposalId: undefined,
      backend: 'none',
      level: i % 3,
      createdAt: app.clock.now(),
      expiresAt: app.clock.now() + 24 * HOUR,
    });

  it('/allow of an address inside 120 active bans saves it and lists as many as fit, then how many more', async () => {
    // A range is a proposal (allow-policy.ts) whose reply lists nothing; the direct path lists the
    // bans that still cover the address: every prefix /9…/128 around it, 120 bans in all.
    const address = '2001:db8:1234:5678:9abc:def0:1234:5678';
    for (let prefix = 9; prefix <= 128; prefix += 1) {
      const target = parseBlockTarget(`${address}/${prefix}`);
      if (!target) throw new Error(`bad target /${prefix}`);
      ban(target.text, prefix);
    }
    const reply = await run('allow', [{ name: 'cidr', type: 3, value: address }]);
    expect(app.actions.allowlist.cidrs()).toContain(address);
    expect(reply.content.length).toBeLessThanOrEqual(2_000);
    expect(reply.content).toMatch(
      new RegExp(`^${address} is now on the allow-list\\. Still blocked until you /unblock \\(120\\): `),
    );
    const more = /, and (\d+) more \(see \/blocks\)\.$/.exec(reply.content);
    expect(more).not.toBeNull();
    const listed = reply.content.split(': ').slice(1).join(': ').split(', ').length - 1;
    expect(listed).toBeGreaterThan(20);
    expect(listed + Number(more?.[1])).toBe(120);
  });

  it('/blocks with 300 bans shows what fits and says how many more', async () => {
    for (let i = 0; i < 300; i += 1) ban(`198.51.${Math.floor(i / 200)}.${i % 200}`, i);
    const reply = await run('blocks');
    const embed = reply.embeds[0] as Embed;
    expect(embed.title).toBe('Active blocks (300)');
    const shown = embed.fields?.length ?? 0;
    expect(shown).toBeGreaterThan(5);
    expect(embed.footer?.text).toBe(`…and ${300 - shown} more`);
  });

  it('/findings with 60 findings shows one page and names the next', async () => {
    app.repos.findings.apply({
      runId: null,
      completedSources: [],
      findings: Array.from({ length: 60 }, (_, i) =>
        toFinding('bulk-check', {
          key: `k${i}`,
          severity: 'medium',
          title: `Finding ${String(i).padStart(2, '0')} ${'with a long title '.repeat(20)}`,
          evidence: 'e'.repeat(1_000),
          fix: 'fix it',
        }),
      ),
      now: app.clock.now(),
    });
    expect(app.repos.findings.open()).toHaveLength(60);
    const first = (await run('findings')).embeds[0] as Embed;
    expect(first.description).toMatch(/\n50 more: `\/findings page:2`$/);
    expect(first.footer?.text).toMatch(/^Page 1\/6 · 60 open/);
    const last = (await run('findings', [{ name: 'page', type: 4, value: 6 }])).embeds[0] as Embed;
    expect(last.description).not.toMatch(/more:/);
    expect((last.description ?? '').match(/`bulk-check:k\d+`/g)).toHaveLength(10);
  });

  it('/allowlist with 300 entries shows what fits and says how many more', async () => {
    for (let i = 0; i < 300; i += 1) {
      app.actions.allowlist.add({
        cidr: `203.0.${Math.floor(i / 200)}.${i % 200}`,
        note: `friend number ${i} of the household`,
        actor: TEST_IDS.approverUser,
      });
    }
    const embed = (await run('allowlist')).embeds[0] as Embed;
    expect(embed.title).toBe('Allow-list (300)');
    const shown = (embed.description ?? '').split('\n').length - 1;
    expect(shown).toBeGreaterThan(10);
    expect(embed.description).toMatch(new RegExp(`\\n…and ${300 - shown} more$`));
  });

  it('/status with many stuck bans and /help stay within limits', async () => {
    for (let i = 0; i < 300; i += 1) {
      const b = ban(`192.0.${2 + Math.floor(i / 200)}.${i % 200}`, i);
      app.repos.bans.recordRemovalFailure(b.id, app.clock.now(), app.clock.now());
    }
    const status = (await run('status')).embeds[0] as Embed;
    const stuck = status.fields?.find((f) => f.name === 'Bans the firewall would not remove')?.value ?? '';
    expect(stuck).toMatch(/…and \d+ more — expired, removal failed/);
    const help = (await run('help')).embeds[0] as Embed;
    expect(help.description).toMatch(/\*\*\/allowlist\*\*/);
    expect(help.description).not.toMatch(/more$/);
  });
});
