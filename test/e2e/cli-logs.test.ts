import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../harness/cli-runner.js';
import { tempDir } from '../harness/test-env.js';

const stamp = () => {
  const d = new Date();
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${m}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
const line = (ip: string, status: number, path = '/login') =>
  `${ip} - ${status === 401 ? 'admin' : '-'} [${stamp()}] "POST ${path} HTTP/1.1" ${status} 0 "-" "-"\n`;

describe('plex-warden review / replay', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let log: string;

  beforeEach(() => {
    dir = tempDir();
    log = join(dir.path, 'access.log');
    env = {
      DATABASE_PATH: join(dir.path, 'db.sqlite'),
      PLEX_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'error',
      LOG_TIMEZONE: 'UTC',
      LOG_MAX_RETRY: '5',
    };
  });
  afterEach(() => dir.remove());

  it('replay prints counts and what would be flagged, exits 1, and creates no database', async () => {
    writeFileSync(log, `${line('203.0.113.7', 401).repeat(6) + line('192.168.1.4', 401).repeat(9)}garbage\n`);
    const text = await runCliInProcess(['replay', log, '--kind', 'nginx'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Lines:   16 read, 15 matched (0 routine, allow-listed), 1 skipped');
    expect(text.stdout).toMatch(/203\.0\.113\.7\s+6/);
    // Per pattern, like fail2ban-regex: the garbage line matched none.
    expect(text.stdout).toMatch(/Lines matched per pattern:\n {2}request\s+15\n/);
    expect(text.stdout).toContain('Brute force from 203.0.113.7 on nginx');
    expect(text.stdout).not.toContain('Brute force from 192.168.1.4');
    const json = await runCliInProcess(['replay', log, '--kind', 'nginx', '--json'], env);
    const parsed = JSON.parse(json.stdout) as {
      lines: number;
      findings: { key: string; action?: unknown }[];
    };
    expect(parsed.lines).toBe(16);
    expect((JSON.parse(json.stdout) as { patterns: unknown }).patterns).toEqual([
      { pattern: 'request', lines: 15 },
    ]);
    expect(parsed.findings.map((f) => f.key)).toEqual(['brute-force:nginx:203.0.113.7']);
    expect(parsed.findings[0]?.action).toMatchObject({ kind: 'block-ip', ip: '203.0.113.7' });
    expect(existsSync(env.DATABASE_PATH as string)).toBe(false);
  });

  it('replay reads the new kinds and counts each sshd pattern', async () => {
    const auth = join(dir.path, 'auth.log');
    writeFileSync(
      auth,
      [
        'Nov 25 19:10:45 nas sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2',
        'Nov 25 19:10:46 nas sshd[2]: Failed password for root from 203.0.113.7 port 2 ssh2',
        'Feb  7 16:01:07 nas sshd[3]: User root from 203.0.113.8 not allowed because not listed in AllowUsers',
        '',
      ].join('\n'),
    );
    const json = await runCliInProcess(['replay', auth, '--kind', 'sshd', '--json'], env);
    const parsed = JSON.parse(json.stdout) as { patterns: { pattern: string; lines: number }[] };
    expect(parsed.patterns.find((p) => p.pattern === 'failed-auth')?.lines).toBe(2);
    expect(parsed.patterns.find((p) => p.pattern === 'not-allowed')?.lines).toBe(1);
    expect(parsed.patterns.find((p) => p.pattern === 'accepted')?.lines).toBe(0);
    const vhost = join(dir.path, 'vhost.log');
    writeFileSync(
      vhost,
      'www.example.com 203.0.113.9 - - [25/Nov/2026:19:10:45 +0000] "GET /x HTTP/1.1" 404 0 "-" "-"\n',
    );
    const v = await runCliInProcess(['replay', vhost, '--kind', 'nginx-vhost', '--json'], env);
    expect((JSON.parse(v.stdout) as { addresses: { ip: string }[] }).addresses.map((a) => a.ip)).toEqual([
      '203.0.113.9',
    ]);
  });

  it('replay rejects a missing kind, an unknown kind and a missing file with exit 2', async () => {
    writeFileSync(log, '');
    expect((await runCliInProcess(['replay', log], env)).code).toBe(2);
    const bad = await runCliInProcess(['replay', log, '--kind', 'iis'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind must be one of plex, nginx');
    const missing = await runCliInProcess(['replay', join(dir.path, 'nope.log'), '--kind', 'nginx'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read');
    const folder = await runCliInProcess(['replay', dir.path, '--kind', 'nginx'], env);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder');
  });

  it('replay of a Plex Logs folder reads its Plex Media Server.log', async () => {
    writeFileSync(
      join(dir.path, 'Plex Media Server.log'),
      'Nov 25, 2026 19:10:45.423 [0x7f] DEBUG - Completed: [203.0.113.7:6] 401 GET /myplex/claim (6 live) GZIP 0ms 1 bytes\n',
    );
    const result = await runCliInProcess(['replay', dir.path, '--kind', 'plex', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      lines: 1,
      matched: 1,
      path: join(dir.path, 'Plex Media Server.log'),
    });
  });

  it('review learns on the first run, then reports only new lines and exits 1 on brute force', async () => {
    expect((await runCliInProcess(['review'], env)).code).toBe(2);
    env.LOG_SOURCES = `nginx:${log}`;
    writeFileSync(log, line('203.0.113.7', 200, '/'));
    const first = await runCliInProcess(['review'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('1 new lines');
    expect(first.stdout).toContain('first run: baseline learned');
    appendFileSync(log, line('198.51.100.9', 401).repeat(5));
    const second = await runCliInProcess(['review', '--json'], env);
    expect(second.code).toBe(1);
    const parsed = JSON.parse(second.stdout) as { sources: { lines: number }[]; findings: { key: string }[] };
    expect(parsed.sources[0]?.lines).toBe(5);
    expect(parsed.findings.map((f) => f.key)).toEqual(['brute-force:nginx:198.51.100.9']);
    const third = await runCliInProcess(['review'], env);
    expect(third.stdout).toContain('0 new lines');
    expect(third.stdout).toContain('Brute force from 198.51.100.9 on nginx');
  });
});
