import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess, spawnCli } from '../harness/cli-runner.js';
import { FakePlexTv } from '../harness/fake-plex-tv.js';
import { tempDir } from '../harness/test-env.js';

describe('plex-warden plex-login (PIN flow against a loopback plex.tv)', () => {
  let dir: ReturnType<typeof tempDir>;
  let plexTv: FakePlexTv;
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_PATH: join(dir.path, 'db.sqlite'),
    PLEX_TV_URL: plexTv.url,
    PLEX_TIMEOUT: '1s',
    LOG_LEVEL: 'debug',
    ...extra,
  });

  beforeEach(async () => {
    dir = tempDir();
    plexTv = new FakePlexTv();
    await plexTv.start();
  });
  afterEach(async () => {
    await plexTv.stop();
    dir.remove();
  });

  it('creates a strong PIN with our stored client identifier, prints the auth URL, then the token once', async () => {
    const { code, stdout, stderr } = await runCliInProcess(['plex-login', '--interval', '100ms'], env());
    expect(code).toBe(0);
    const db = new BetterSqlite3(join(dir.path, 'db.sqlite'), { readonly: true });
    const stored = (
      db.prepare("SELECT value FROM settings WHERE key = 'plex.clientIdentifier'").get() as { value: string }
    ).value;
    db.close();
    const create = plexTv.requests[0];
    expect(create).toMatchObject({ method: 'POST', path: '/api/v2/pins', query: { strong: 'true' } });
    expect(create?.clientIdentifier).toBe(stored);
    expect(create?.product).toBe('plex-warden');
    // Every poll carries the same identifier: plex.tv ties the PIN to it.
    const polls = plexTv.requests.filter((r) => r.method === 'GET');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(polls.map((r) => r.clientIdentifier))).toEqual(new Set([stored]));
    const url = /https:\/\/app\.plex\.tv\/auth#\?(\S+)/.exec(stdout);
    expect(url).not.toBeNull();
    const params = new URLSearchParams(url?.[1]);
    expect(params.get('clientID')).toBe(stored);
    expect(params.get('code')).toBe('x7k2m9q4p1w8z3r6t5y0u2v9c');
    expect(params.get('context[device][product]')).toBe('plex-warden');
    expect(stdout).toContain(`PLEX_TOKEN=${plexTv.accountToken}`);
    expect(stdout.split(plexTv.accountToken)).toHaveLength(2);
    expect(stderr).not.toContain(plexTv.accountToken);
  });

  it('keeps the same client identifier on a second run (no "new device" emails)', async () => {
    await runCliInProcess(['plex-login', '--interval', '100ms'], env());
    await runCliInProcess(['plex-login', '--interval', '100ms'], env());
    const creates = plexTv.requests.filter((r) => r.method === 'POST');
    expect(creates).toHaveLength(2);
    expect(creates[0]?.clientIdentifier).toBe(creates[1]?.clientIdentifier);
  });

  it('gives up cleanly when the PIN expires before anyone signs in', async () => {
    plexTv.pollsUntilSignedIn = Number.POSITIVE_INFINITY;
    plexTv.pinLifetimeSeconds = 1;
    const started = performance.now();
    const { code, stdout, stderr } = await runCliInProcess(['plex-login', '--interval', '200ms'], env());
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(code).toBe(1);
    expect(stderr).toMatch(/expired/);
    expect(stderr).toMatch(/plex-warden plex-login/);
    expect(stdout).not.toContain('PLEX_TOKEN=');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('stops at the --timeout bound even if plex.tv would wait longer', async () => {
    plexTv.pollsUntilSignedIn = Number.POSITIVE_INFINITY;
    const started = performance.now();
    const { code, stderr } = await runCliInProcess(
      ['plex-login', '--interval', '100ms', '--timeout', '1s'],
      env(),
    );
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(code).toBe(1);
    expect(stderr).toMatch(/No sign-in arrived/);
  });

  it('reports plex.tv being down, hanging, or answering garbage in one line, with no stack trace', async () => {
    for (const mode of ['down', 'hang', 'garbage'] as const) {
      plexTv.mode = mode;
      const started = performance.now();
      const { code, stderr, stdout } = await runCliInProcess(['plex-login', '--interval', '100ms'], env());
      expect(performance.now() - started, mode).toBeLessThan(5_000);
      expect(code, mode).toBe(1);
      expect(stderr, mode).toMatch(/^Could not sign in to plex\.tv: /);
      expect(stderr, mode).not.toMatch(/\n\s+at /);
      expect(stdout, mode).not.toContain('PLEX_TOKEN=');
    }
    const hang = await (async () => {
      plexTv.mode = 'hang';
      return runCliInProcess(['plex-login'], env());
    })();
    expect(hang.stderr).toMatch(/got no answer within 1000 ms/);
  });

  it('keeps polling through a short plex.tv hiccup', async () => {
    plexTv.pollsUntilSignedIn = 3;
    const run = runCliInProcess(['plex-login', '--interval', '150ms'], env());
    await expect.poll(() => plexTv.requests.length).toBeGreaterThanOrEqual(2);
    plexTv.mode = 'down';
    await new Promise((resolve) => setTimeout(resolve, 250));
    plexTv.mode = 'normal';
    const { code, stdout } = await run;
    expect(code).toBe(0);
    expect(stdout).toContain(`PLEX_TOKEN=${plexTv.accountToken}`);
  });

  it('refuses a nonsense --timeout with exit code 2', async () => {
    const { code, stderr } = await runCliInProcess(['plex-login', '--timeout', 'forever'], env());
    expect(code).toBe(2);
    expect(stderr).toMatch(/--timeout "forever" is invalid/);
    expect(plexTv.requests).toHaveLength(0);
  });

  it('Ctrl-C while waiting exits promptly and cleanly (the real CLI, SIGINT)', async () => {
    plexTv.pollsUntilSignedIn = Number.POSITIVE_INFINITY;
    const cli = spawnCli(['plex-login', '--interval', '200ms'], env(), dir.path);
    await expect.poll(() => cli.output.stdout, { timeout: 10_000 }).toMatch(/Waiting up to/);
    const sent = performance.now();
    cli.child.kill('SIGINT');
    const { code, at } = await cli.exited;
    expect(at - sent).toBeLessThan(2_000);
    expect(code).toBe(1);
    expect(cli.output.stderr).toMatch(/Cancelled; no token was created/);
    expect(cli.output.stderr).not.toMatch(/\n\s+at /);
  });
});
