import { describe, expect, it } from 'vitest';
import { plexAccountSignals } from '../../src/checks/plex-account-signals.js';
import { STOP_REASON } from '../../src/checks/plex-sessions.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { useBotLab } from '../harness/bot-lab.js';
import { TEST_IDS } from '../harness/test-env.js';

/** MaxMind test-data addresses (London, Linköping) with a fixed network table. */
const facts = {
  lookup: (ip: string) =>
    ip === '81.2.69.142'
      ? { asn: 64500, asName: 'Example London Net', country: 'GB' }
      : ip === '89.160.20.112'
        ? { asn: 64502, asName: 'Example Nordic Net', country: 'SE' }
        : undefined,
};

/** home-assistant/core session_base.xml shape. */
const stream = (address: string, id: string) => ({
  title: 'Movie',
  User: { id: 7, title: 'friend' },
  Player: { address, local: 0, machineIdentifier: `dev-${id}`, product: 'Plex Web', platform: 'Chrome' },
  Session: { id, location: 'wan', bandwidth: 4000 },
});

describe('an account signal end to end: finding → proposal → only an approval stops the stream', () => {
  const lab = useBotLab();

  it('a new country for a user is posted with a stop proposal that runs on ✅', async () => {
    const { app, bot } = await lab.start({
      overrides: { checks: [plexAccountSignals], addressFacts: facts },
    });
    const { discord, plex } = lab;
    plex.state.sessions = [stream('81.2.69.142', 's-gb')];
    await runScheduledScan(app, bot.ctx.alerts, bot.ctx.board);
    expect(app.repos.findings.open()).toEqual([]);
    plex.state.sessions = [stream('81.2.69.142', 's-gb'), stream('89.160.20.112', 's-se')];
    const before = discord.callsTo('PUT', /\/reactions\//).length;
    await runScheduledScan(app, bot.ctx.alerts, bot.ctx.board);
    expect(app.repos.findings.open().map((f) => f.fingerprint)).toEqual([
      'plex-account-signals:new-country:id:7:SE',
    ]);
    await expect
      .poll(() => discord.callsTo('PUT', /\/reactions\//).length, { timeout: 5_000 })
      .toBe(before + 2);
    const put = discord.callsTo('PUT', /\/reactions\//).at(-1);
    const messageId = put ? /\/messages\/(\d+)\/reactions\//.exec(put.path)?.[1] : undefined;
    if (!messageId) throw new Error('no proposal message');
    const text = JSON.stringify(discord.messages.get(messageId)?.embeds);
    expect(text).toContain('Stop the stream of friend from 89.160.20.112?');
    expect(plex.state.terminated).toEqual([]);
    // Someone without the approver role reacts: nothing happens.
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.otherUser, roles: [] });
    await new Promise((r) => setTimeout(r, 300));
    expect(plex.state.terminated).toEqual([]);
    discord.react({ messageId, emoji: '✅', userId: TEST_IDS.approverUser, roles: [] });
    await expect
      .poll(() => plex.state.terminated, { timeout: 5_000 })
      .toEqual([{ sessionId: 's-se', reason: STOP_REASON }]);
  });
});
