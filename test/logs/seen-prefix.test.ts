import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Env, loadConfig } from '../../src/config/index.js';
import { firstSeenRemote } from '../../src/logs/detectors/first-seen-remote.js';
import { EV_SUCCESS, type LogEvent } from '../../src/logs/log-event.js';
import { replayFile } from '../../src/logs/replay.js';
import { tempDir } from '../harness/test-env.js';

const NOW = Date.UTC(2026, 10, 25, 20, 0);
const accepted = (ip: string, second = 0) =>
  `Nov 25 19:10:${String(second).padStart(2, '0')} nas sshd[1234]: Accepted publickey for alice from ${ip} port 51234 ssh2\n`;
/** One home line's /64 (a non-documentation global prefix), temporary addresses rotating in it (RFC 8981). */
const NET = '2001:470:1f0b:1a';

describe('first-seen keys IPv6 by its LOG_IPV6_PREFIX network', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('plex-warden-seen-prefix-');
  });
  afterEach(() => dir.remove());

  // Replay assumes nothing is known yet: every first sighting is reported (as after learning).
  const replay = async (text: string, env: Env = {}) => {
    const file = join(dir.path, 'auth.log');
    writeFileSync(file, text);
    const config = loadConfig({ LOG_TIMEZONE: 'UTC', ...env }, { requireDiscord: false });
    const result = await replayFile(file, 'sshd', {
      logs: config.logs,
      network: config.network,
      now: () => NOW,
    });
    return result.findings.filter((f) => f.key.startsWith('first-seen-remote:'));
  };

  it('raises one finding for two addresses of one /64, naming the network and the first address', async () => {
    const found = await replay(accepted(`${NET}:a1b2:c3d4:e5f6:1`, 1) + accepted(`${NET}:77:88:99:aa`, 2));
    expect(found.map((f) => f.key)).toEqual([`first-seen-remote:sshd:${NET}::/64`]);
    expect(found[0]?.title).toBe(
      `New outside address got in on sshd: ${NET}::/64 (first ${NET}:a1b2:c3d4:e5f6:1)`,
    );
    expect(found[0]?.evidence).toContain('no address in it seen before on sshd');
    expect(found[0]?.evidence).toContain('2026-11-25 19:10 UTC');
    // Somebody got in: nothing to block (suggested-actions.ts), whatever the key.
    expect(found[0]?.action).toBeUndefined();
  });

  it('raises one per /64, and per address for IPv4 as before', async () => {
    const text =
      accepted(`${NET}::1`, 1) +
      accepted('2001:470:1f0b:1b::1', 2) +
      accepted(`${NET}::2`, 3) +
      accepted('198.51.100.7', 4) +
      accepted('198.51.100.8', 5);
    expect((await replay(text)).map((f) => f.key).sort()).toEqual([
      'first-seen-remote:sshd:198.51.100.7',
      'first-seen-remote:sshd:198.51.100.8',
      'first-seen-remote:sshd:2001:470:1f0b:1a::/64',
      'first-seen-remote:sshd:2001:470:1f0b:1b::/64',
    ]);
    const v4 = (await replay(accepted('198.51.100.7')))[0];
    expect(v4?.title).toBe('New outside address got in on sshd: 198.51.100.7');
    expect(v4?.evidence).toContain('never seen before on sshd');
  });

  it('groups by a wider prefix when asked, and per address with LOG_IPV6_PREFIX=128', async () => {
    const text = accepted(`${NET}::1`, 1) + accepted('2001:470:1f0b:1b::1', 2) + accepted(`${NET}::2`, 3);
    expect((await replay(text, { LOG_IPV6_PREFIX: '56' })).map((f) => f.key)).toEqual([
      'first-seen-remote:sshd:2001:470:1f0b::/56',
    ]);
    const perAddress = await replay(text, { LOG_IPV6_PREFIX: '128' });
    expect(perAddress.map((f) => f.key)).toEqual([
      `first-seen-remote:sshd:${NET}::1`,
      'first-seen-remote:sshd:2001:470:1f0b:1b::1',
      `first-seen-remote:sshd:${NET}::2`,
    ]);
    expect(perAddress[0]?.title).toBe(`New outside address got in on sshd: ${NET}::1`);
  });

  it('stays quiet for a new address of a /64 learned during the first pass', () => {
    const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
    const changed: string[] = [];
    const d = firstSeenRemote.create({
      source: { id: 'sshd', kind: 'sshd', path: '/var/log/auth.log' },
      settings: config.logs.settings.sshd,
      maxTracked: 100,
      changed: (key) => changed.push(key),
    });
    const ev = { flags: EV_SUCCESS, user: '' } as unknown as LogEvent;
    expect(d.observe(ev, `${NET}::1`, NOW, true)).toBe(false);
    expect(d.settled(`${NET}::2`)).toBe(true);
    expect(d.settled('2001:470:1f0b:1b::1')).toBe(false);
    expect(d.observe(ev, '2001:470:1f0b:1b::1', NOW, false)).toBe(false);
    expect(changed).toEqual(['2001:470:1f0b:1b::/64']);
    expect(d.render('2001:470:1f0b:1b::1'), 'rendered under the network only').toBeUndefined();
    expect(d.render('2001:470:1f0b:1b::/64')?.severity).toBe('high');
    expect(d.render(`${NET}::/64`), 'learned quietly').toBeUndefined();
  });
});
