import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { type Env, loadConfig } from '../../src/config/index.js';
import type { LogSourceKind } from '../../src/config/logs.js';
import { silentLogger } from '../../src/kernel/logger.js';
import {
  ADDR_ALLOWED,
  ADDR_INVALID,
  ADDR_LOCAL,
  ADDR_OUTSIDE,
  AddressBook,
} from '../../src/logs/address-book.js';
import { probing } from '../../src/logs/detectors/probing.js';
import { EV_CLIENT_ERROR, LogEvent } from '../../src/logs/log-event.js';
import { LogReviewer } from '../../src/logs/log-reviewer.js';
import { replayFile } from '../../src/logs/replay.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { openTestDatabase } from '../harness/log-db.js';
import { ManualClock } from '../harness/manual-clock.js';
import { tempDir } from '../harness/test-env.js';

const T = 'Nov 25, 2026 19:30:00.000';
const completed = (ip: string, status: number, path: string, thread = '0x7f01') =>
  `${T} [${thread}] DEBUG - Completed: [${ip}:5555] ${status} GET ${path} (1 live) GZIP 0ms 1 bytes\n`;
const request = (ip: string, path: string, token: string, thread = '0x7f01') =>
  `${T} [${thread}] DEBUG - Request: [${ip}:5555 (WAN)] GET ${path} (1 live) GZIP Signed-in ${token}\n`;
const nginx = (ip: string, status: number, path: string) =>
  `${ip} - ${status === 401 ? 'admin' : '-'} [25/Nov/2026:19:30:00 +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;

describe('log detectors', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('plex-warden-detect-');
  });
  afterEach(() => dir.remove());

  const replay = (kind: LogSourceKind, text: string, env: Env = {}) => {
    const file = join(dir.path, `${kind}.log`);
    writeFileSync(file, text);
    const config = loadConfig({ LOG_TIMEZONE: 'UTC', ...env }, { requireDiscord: false });
    return replayFile(file, kind, {
      logs: config.logs,
      network: config.network,
      now: () => Date.UTC(2026, 10, 25, 19, 31),
    });
  };
  const keys = (r: { findings: readonly { key: string }[] }) => r.findings.map((f) => f.key).sort();

  it('never flags a family device on the road: routine Plex 401/404s are allow-listed', async () => {
    let text = '';
    for (let i = 0; i < 200; i++) {
      text += completed('198.51.100.20', 401, `/:/timeline?ratingKey=${i}&state=playing`);
      text += completed('198.51.100.20', 401, '/library/sections/1/all');
      text += completed('198.51.100.20', 404, `/photo/:/transcode?width=${i}&url=%2Flibrary`);
      text += completed('198.51.100.20', 401, '/:/websockets/notifications');
    }
    const result = await replay('plex', text);
    expect(result.routine).toBe(800);
    expect(result.findings).toEqual([]);
  });

  it('flags unauthenticated 401s on non-routine Plex paths as brute force, and many distinct 404s as probing', async () => {
    let text = '';
    for (let i = 0; i < 20; i++) text += completed('203.0.113.5', 401, '/myplex/claim');
    for (let i = 0; i < 30; i++) text += completed('203.0.113.6', 404, `/cgi-bin/${i}.sh`);
    const result = await replay('plex', text);
    expect(keys(result)).toEqual(['brute-force:plex:203.0.113.5', 'probing:plex:203.0.113.6']);
    const probe = result.findings.find((f) => f.key.startsWith('probing'));
    expect(probe?.evidence).toContain('"/cgi-bin/0.sh"');
    expect(probe?.action).toMatchObject({ kind: 'block-ip', ip: '203.0.113.6' });
  });

  it('names the network and country of the address in brute-force and probing evidence', async () => {
    let text = '';
    for (let i = 0; i < 20; i++) text += completed('203.0.113.5', 401, '/myplex/claim');
    for (let i = 0; i < 30; i++) text += completed('203.0.113.6', 404, `/cgi-bin/${i}.sh`);
    const file = join(dir.path, 'plex.log');
    writeFileSync(file, text);
    const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
    const result = await replayFile(file, 'plex', {
      logs: config.logs,
      network: config.network,
      now: () => Date.UTC(2026, 10, 25, 19, 31),
      addressFacts: {
        lookup: (ip) => ({ asn: 64500, asName: 'Example Hosting', country: ip.endsWith('5') ? 'NL' : 'DE' }),
      },
    });
    const evidence = (prefix: string) => result.findings.find((f) => f.key.startsWith(prefix))?.evidence;
    expect(evidence('brute-force')).toContain('from 203.0.113.5 · AS64500 Example Hosting · NL since');
    expect(evidence('probing')).toMatch(/^203\.0\.113\.6 · AS64500 Example Hosting · DE asked/);
  });

  it('reports a rejected Plex token from outside (no block), never from the LAN', async () => {
    const text =
      request('203.0.113.9', '/library/metadata/5', 'Token ()') +
      completed('203.0.113.9', 401, '/library/metadata/5') +
      request('192.168.1.30', '/library/metadata/5', 'Token ()') +
      completed('192.168.1.30', 401, '/library/metadata/5');
    const result = await replay('plex', text);
    expect(keys(result)).toEqual(['bad-plex-token:plex:203.0.113.9']);
    expect(result.findings[0]?.action).toBeUndefined();
    expect(result.findings[0]?.severity).toBe('medium');
  });

  it('counts distinct paths for probing: repeats and static assets do not add up', async () => {
    let text = '';
    for (let i = 0; i < 50; i++) text += nginx('203.0.113.8', 404, '/same');
    for (let i = 0; i < 50; i++) text += nginx('203.0.113.8', 404, `/img/${i}.png`);
    for (let i = 0; i < 18; i++) text += nginx('203.0.113.8', 404, `/probe-${i}`);
    expect((await replay('nginx', text)).findings).toEqual([]);
    text += nginx('203.0.113.8', 403, '/probe-last');
    expect(keys(await replay('nginx', text))).toEqual(['probing:nginx:203.0.113.8']);
  });

  it('renders each probing episode with its own sample paths, rendered again as it goes on', () => {
    const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
    const settings = config.logs.settings.nginx;
    const inst = probing.create({
      source: { id: 'nginx', kind: 'nginx', path: '/dev/null' },
      settings,
      maxTracked: 100,
      changed: () => undefined,
    });
    const ev = new LogEvent();
    const probe = (path: string, time: number) => {
      ev.reset();
      ev.flags = EV_CLIENT_ERROR;
      ev.setPath(path, 0, path.length);
      return inst.observe(ev, '203.0.113.8', time);
    };
    const t0 = Date.UTC(2026, 10, 25, 19, 30);
    for (let i = 0; i < settings.probePaths; i++) probe(`/first-${i}`, t0 + i);
    const first = inst.render('203.0.113.8')?.evidence;
    expect(first).toContain('e.g. "/first-0", "/first-1", "/first-2".');
    expect(inst.render('203.0.113.8')?.evidence).toBe(first);
    // Quiet for longer than the window: the next paths are a new episode, with new samples.
    const t1 = t0 + settings.probeFindTimeMs + 60_000;
    for (let i = 0; i < settings.probePaths; i++) probe(`/second-${i}`, t1 + i);
    expect(inst.render('203.0.113.8')?.evidence).toContain('e.g. "/second-0", "/second-1", "/second-2".');
  });

  it('keeps fail2ban semantics: failures outside findTime do not add up', async () => {
    const at = (m: number) =>
      `203.0.113.4 - admin [25/Nov/2026:19:${String(m).padStart(2, '0')}:00 +0000] "GET /x HTTP/1.1" 401 0 "-" "-"\n`;
    // 10 failures, one every 2 minutes: never 10 within 10 minutes.
    const slow = Array.from({ length: 10 }, (_, i) => at(i * 2)).join('');
    expect((await replay('nginx', slow)).findings).toEqual([]);
    const fast = Array.from({ length: 10 }, (_, i) => at(20 + (i % 5))).join('');
    expect(keys(await replay('nginx', fast))).toEqual(['brute-force:nginx:203.0.113.4']);
  });

  it('reports the owner account from a new outside address after the baseline, not the known one', async () => {
    const file = join(dir.path, 'Plex Media Server.log');
    const owner = (ip: string, thread: string) =>
      request(ip, '/library/sections', 'Token (alice)', thread) +
      `${T} [${thread}] DEBUG - Auth: authenticated user 1 as alice\n` +
      completed(ip, 200, '/library/sections', thread);
    writeFileSync(file, owner('198.51.100.50', '0x1'));
    const db = openTestDatabase(join(dir.path, 'db.sqlite'));
    try {
      const config = loadConfig(
        { LOG_TIMEZONE: 'UTC', LOG_SOURCES: `plex:${file}` },
        { requireDiscord: false },
      );
      const reviewer = new LogReviewer({
        logs: config.logs,
        scope: AddressScope.fromConfig(config.network),
        repo: new LogReviewRepository(db),
        clock: new ManualClock(Date.UTC(2026, 10, 25, 19, 31)),
        logger: silentLogger(),
      });
      expect((await reviewer.review()).findings).toEqual([]);
      appendFileSync(file, owner('198.51.100.50', '0x2') + owner('203.0.113.77', '0x3'));
      const result = await reviewer.review();
      expect(result.findings.map((f) => [f.key, f.severity])).toEqual([
        ['first-seen-remote:plex:203.0.113.77', 'medium'],
        ['owner-new-address:plex:203.0.113.77', 'high'],
      ]);
    } finally {
      db.close();
    }
  });

  it('bounds memory: addresses beyond LOG_MAX_TRACKED_ADDRESSES are dropped and counted', async () => {
    let text = '';
    for (let i = 0; i < 300; i++) text += nginx(`203.0.${i >> 8}.${i & 255}`, 404, '/x');
    const file = join(dir.path, 'wide.log');
    writeFileSync(file, text);
    const config = loadConfig(
      { LOG_TIMEZONE: 'UTC', LOG_MAX_TRACKED_ADDRESSES: '100' },
      { requireDiscord: false },
    );
    const result = await replayFile(file, 'nginx', {
      logs: config.logs,
      network: config.network,
      now: Date.now,
    });
    expect(result.addresses).toHaveLength(300);
    const probing = result.tracking.find((t) => t.detector === 'probing');
    expect(probing).toEqual({ detector: 'probing', tracked: 100, evicted: 200 });
  });
});

describe('AddressBook', () => {
  const scope = AddressScope.fromConfig(
    {
      lanCidrs: ['192.168.0.0/16', 'fd00::/8'],
      allowlist: ['198.51.100.0/24', '2001:db8:1::/48'],
      publicIp: '203.0.113.1',
    },
    { extraAllowed: (ip) => ip === '203.0.113.99' },
  );
  const book = new AddressBook({ scope, cacheSize: 4 });
  it.each([
    ['203.0.113.7', ADDR_OUTSIDE, '203.0.113.7'],
    ['192.168.4.4', ADDR_LOCAL, '192.168.4.4'],
    ['127.0.0.1', ADDR_LOCAL, '127.0.0.1'],
    ['203.0.113.1', ADDR_LOCAL, '203.0.113.1'],
    ['198.51.100.4', ADDR_ALLOWED, '198.51.100.4'],
    ['203.0.113.99', ADDR_ALLOWED, '203.0.113.99'],
    ['::ffff:203.0.113.7', ADDR_OUTSIDE, '203.0.113.7'],
    ['::ffff:192.168.1.1', ADDR_LOCAL, '192.168.1.1'],
    ['2001:db8:1::5', ADDR_ALLOWED, '2001:db8:1::5'],
    ['2001:0db8:0002::0005', ADDR_OUTSIDE, '2001:db8:2::5'],
    ['fd00::1', ADDR_LOCAL, 'fd00::1'],
    ['::1', ADDR_LOCAL, '::1'],
    ['1.2.3', ADDR_INVALID, ''],
    ['010.1.1.1', ADDR_INVALID, ''],
    ['256.1.1.1', ADDR_INVALID, ''],
    ['evil.example', ADDR_INVALID, ''],
  ])('%s', (raw, kind, ip) => {
    // Twice: the second answer comes from the cache (which is bounded at 4 entries here).
    for (let i = 0; i < 2; i++) {
      const info = book.lookupRange(`x ${raw} y`, 2, 2 + raw.length);
      expect([info.kind, info.key]).toEqual([kind, ip]);
    }
  });
});

describe('AddressBook under a flood of new addresses', () => {
  const scope = AddressScope.fromConfig({ lanCidrs: ['192.168.0.0/16'], allowlist: [] });
  const at = (book: AddressBook, ip: string) => book.lookupRange(`x ${ip} y`, 2, 2 + ip.length);
  const flood = (i: number) =>
    `2a01:4f8:c17:2a3f:${((i >>> 16) + 1).toString(16)}:${(i & 0xffff).toString(16)}:1:1`;

  it('answers every address right during and after a flood, and caches again once it is over', () => {
    const book = new AddressBook({ scope, cacheSize: 200_000 });
    const regular = at(book, '203.0.113.7');
    for (let i = 0; i < 150_000; i++) {
      const info = at(book, flood(i));
      if (info.key !== flood(i) || info.kind !== ADDR_OUTSIDE)
        throw new Error(`wrong answer for ${flood(i)}`);
      if (i % 1000 === 0) expect(at(book, '192.168.1.5').kind).toBe(ADDR_LOCAL);
    }
    // The household's regular traffic again: the cache fills with hits and keeps its entries.
    const hot = Array.from({ length: 3000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
    let seed = 7;
    for (let i = 0; i < 30_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      at(book, hot[seed % hot.length] as string);
    }
    const first = hot.map((ip) => at(book, ip));
    expect(hot.map((ip) => at(book, ip)).every((info, i) => info === first[i])).toBe(true);
    expect(at(book, '203.0.113.7')).toMatchObject({ key: regular.key, kind: ADDR_OUTSIDE });
  });
});
