import { beforeEach, describe, expect, it } from 'vitest';
import { embedLength, LIMITS } from '../../src/alerts/embeds.js';
import type { AppContext } from '../../src/app/app-context.js';
import type { BotHandle } from '../../src/app/bot.js';
import { plexAllowedNetworks } from '../../src/checks/plex-allowed-networks.js';
import type { Check } from '../../src/checks/types.js';
import type { FindingDraft } from '../../src/domain/finding.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord } from '../harness/fake-discord.js';
import { ManualClock } from '../harness/manual-clock.js';
import { TEST_IDS } from '../harness/test-env.js';

interface Embed {
  title?: string;
  description?: string;
  author?: { name: string };
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}
interface Body {
  type?: number;
  content?: string;
  embeds?: Embed[];
  data?: { content?: string; flags?: number; choices?: { name: string; value: string }[] };
}

const HOUR = 3_600_000;

/** A check whose findings the test sets between scans. */
function scripted(): Check & { drafts: FindingDraft[] } {
  const check = {
    id: 'scripted',
    title: 'scripted',
    drafts: [] as FindingDraft[],
    async run() {
      return check.drafts;
    },
  };
  return check;
}

describe('alert lifecycle through the fake Discord', () => {
  const lab = useBotLab();
  let discord: FakeDiscord;
  let app: AppContext | undefined;
  let bot: BotHandle | undefined;
  let clock: ManualClock;
  let script: ReturnType<typeof scripted>;

  const start = async (checks: readonly Check[]) => {
    ({ app, bot } = await lab.restart({ env: { CRITICAL_RENOTIFY: '6h' }, overrides: { checks, clock } }));
  };
  const scan = async () => {
    if (!app || !bot) throw new Error('not started');
    await runScheduledScan(app, bot.ctx.alerts);
  };
  /** Alert-channel posts (not interaction replies), as their bodies. */
  const posts = (): Body[] =>
    discord
      .callsTo('POST', new RegExp(`^/channels/${TEST_IDS.channel}/messages$`))
      .map((c) => c.body as Body);
  const reply = async (id: string): Promise<Body> => {
    const token = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    const callback = token.body as Body;
    if (callback.type !== 5) return callback;
    const tokenPart = token.path.split('/')[3];
    const edit = await discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${tokenPart}/messages/@original`),
    );
    return edit.body as Body;
  };

  beforeEach(() => {
    discord = lab.discord;
    clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
    script = scripted();
  });

  it('splits a large digest into messages of at most 10 embeds and 6,000 characters, in order', async () => {
    await start([script]);
    script.drafts = Array.from({ length: 27 }, (_, i) => ({
      key: `k${String(i).padStart(2, '0')}`,
      severity: i === 0 ? 'critical' : 'high',
      title: `Finding ${i}`,
      evidence: `${'evidence '.repeat(150)}#${i}`,
      fix: 'Fix it.',
    }));
    await scan();
    const messages = posts();
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const message of messages) {
      const embeds = message.embeds ?? [];
      expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
      expect(embeds.reduce((n, e) => n + embedLength(e as never), 0)).toBeLessThanOrEqual(
        LIMITS.charsPerMessage,
      );
    }
    const all = messages.flatMap((m) => m.embeds ?? []);
    expect(all).toHaveLength(27);
    expect(all[0]?.title).toContain('Finding 0');
    expect(all[0]?.fields?.[0]).toEqual({ name: 'How to fix', value: 'Fix it.' });
    expect(messages[0]?.embeds?.[0]?.author?.name).toBe('Scan #1: 27 new');
  });

  it('does not push info findings, but does push a change out of info', async () => {
    await start([script]);
    script.drafts = [{ key: 'stream', severity: 'info', title: 'Remote stream', evidence: 'e', fix: 'f' }];
    await scan();
    expect(posts()).toHaveLength(0);
    script.drafts = [{ key: 'stream', severity: 'medium', title: 'Remote stream', evidence: 'e2', fix: 'f' }];
    await scan();
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.embeds?.[0]?.title).toMatch(/Changed \(was info\)/);
  });

  it('re-notifies a critical finding every CRITICAL_RENOTIFY until it is fixed', async () => {
    lab.plex.setPref('allowedNetworks', '0.0.0.0/0');
    await start([plexAllowedNetworks]);
    await scan();
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.embeds?.[0]?.title).toContain('New · Plex lets the whole internet in');
    clock.advance(2 * HOUR);
    await scan();
    expect(posts()).toHaveLength(1);
    clock.advance(4 * HOUR);
    await scan();
    expect(posts()).toHaveLength(2);
    expect(posts()[1]?.embeds?.[0]?.title).toContain('Still open · Plex lets the whole internet in');
    expect(posts()[1]?.embeds?.[0]?.author?.name).toMatch(/1 still open/);
    clock.advance(HOUR);
    await scan();
    expect(posts()).toHaveLength(2);
    lab.plex.setPref('allowedNetworks', '');
    clock.advance(HOUR);
    await scan();
    expect(posts()).toHaveLength(3);
    expect(posts()[2]?.embeds?.[0]?.title).toMatch(/Resolved · Plex lets the whole internet in/);
    clock.advance(12 * HOUR);
    await scan();
    expect(posts()).toHaveLength(3);
  });

  it('/snooze: autocomplete offers open findings; a snoozed finding stays silent across a restart, then reminds', async () => {
    lab.plex.setPref('allowedNetworks', '0.0.0.0/0');
    await start([plexAllowedNetworks]);
    await scan();
    expect(posts()).toHaveLength(1);
    const fingerprint = 'plex-allowed-networks:public:0.0.0.0/0';

    const auto = discord.interaction({
      name: 'snooze',
      type: 4,
      options: [{ name: 'finding', type: 3, value: 'whole internet', focused: true }],
    });
    const suggestions = await reply(auto.id);
    expect(suggestions.type).toBe(8);
    expect(suggestions.data?.choices?.map((c) => c.value)).toEqual([fingerprint]);

    const cmd = discord.interaction({
      name: 'snooze',
      options: [
        { name: 'finding', type: 3, value: fingerprint },
        { name: 'duration', type: 3, value: '1d' },
      ],
    });
    expect((await reply(cmd.id)).content).toMatch(/is snoozed for 1d/);

    // Evidence changes (same network, other notation) and the re-notify interval passes: silent.
    lab.plex.setPref('allowedNetworks', '0.0.0.0/0.0.0.0');
    clock.advance(7 * HOUR);
    await scan();
    expect(posts()).toHaveLength(1);
    expect(app?.repos.findings.get(fingerprint)?.evidence).toContain('0.0.0.0/0.0.0.0');

    await start([plexAllowedNetworks]);
    clock.advance(7 * HOUR);
    await scan();
    expect(posts()).toHaveLength(1);
    expect(app?.repos.findings.get(fingerprint)?.snoozedUntil).toBe(Date.UTC(2026, 10, 26, 12));

    clock.advance(11 * HOUR);
    await scan();
    expect(posts().map((p) => p.embeds?.map((e) => e.title))).toEqual([
      [expect.stringContaining('New')],
      [expect.stringContaining('Still open · Plex lets the whole internet in')],
    ]);
  });

  it('/snooze explains an unknown finding and a bad duration, and changes nothing', async () => {
    await start([script]);
    const unknown = discord.interaction({
      name: 'snooze',
      options: [
        { name: 'finding', type: 3, value: 'nope:`@everyone`' },
        { name: 'duration', type: 3, value: '2h' },
      ],
    });
    const answer = await reply(unknown.id);
    // The reply pipeline neutralises mentions in every UserError text (a zero-width space after @).
    expect(answer.content).toMatch(/No open finding has the id `nope:@\u200beveryone`/);
    const bad = discord.interaction({
      name: 'snooze',
      options: [
        { name: 'finding', type: 3, value: 'scripted:x' },
        { name: 'duration', type: 3, value: '400d' },
      ],
    });
    const refused = await reply(bad.id);
    expect(refused.type).toBe(4);
    expect(refused.data?.flags).toBe(64);
    expect(refused.data?.content).toMatch(/1 minute to 90 days/);
  });

  it('/findings lists what is open, most severe first, a page at a time', async () => {
    await start([script]);
    script.drafts = Array.from({ length: 23 }, (_, i) => ({
      key: `f${String(i).padStart(2, '0')}`,
      severity: i === 22 ? 'critical' : 'low',
      title: `Open thing ${String(i).padStart(2, '0')}`,
      evidence: 'e',
      fix: 'f',
    }));
    await scan();
    const first = await reply(discord.interaction({ name: 'findings' }).id);
    const page1 = first.embeds?.[0];
    expect(page1?.footer?.text).toMatch(/^Page 1\/3 · 23 open/);
    expect(page1?.description?.split('\n')[0]).toContain('CRITICAL** Open thing 22');
    expect(page1?.description).toContain('`scripted:f22`');
    const third = await reply(
      discord.interaction({ name: 'findings', options: [{ name: 'page', type: 4, value: 3 }] }).id,
    );
    expect(third.embeds?.[0]?.description?.match(/`scripted:/g)).toHaveLength(3);
    const beyond = await reply(
      discord.interaction({ name: 'findings', options: [{ name: 'page', type: 4, value: 4 }] }).id,
    );
    expect(beyond.content).toBe('There are only 3 pages of open findings.');
    const critical = await reply(
      discord.interaction({ name: 'findings', options: [{ name: 'severity', type: 3, value: 'critical' }] })
        .id,
    );
    expect(critical.embeds?.[0]?.footer?.text).toMatch(/^Page 1\/1 · 1 open/);
  });
});
