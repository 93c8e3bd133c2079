import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess, runCliSync } from '../harness/cli-runner.js';
import { closedPort } from '../harness/closed-port.js';
import { FakePlex } from '../harness/fake-plex.js';
import { tempDir, testEnv } from '../harness/test-env.js';

describe('plex-warden CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  let plex: FakePlex;

  beforeEach(async () => {
    dir = tempDir();
    plex = new FakePlex();
    await plex.start();
  });
  afterEach(async () => {
    await plex.stop();
    dir.remove();
  });

  it('bot with an empty environment exits 2 and names every missing key in one message', () => {
    const { code, stderr } = runCliSync(['bot'], {}, dir.path);
    expect(code).toBe(2);
    for (const key of [
      'DISCORD_TOKEN',
      'DISCORD_APPLICATION_ID',
      'DISCORD_GUILD_ID',
      'ALERT_CHANNEL_ID',
      'APPROVER_ROLE_IDS',
    ]) {
      expect(stderr).toContain(key);
    }
    expect(stderr).toMatch(/Invalid configuration \(\d+ problems\)/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('names a malformed id and URL with what was expected', () => {
    const { code, stderr } = runCliSync(
      ['scan'],
      { PLEX_URL: 'not a url', DISCORD_GUILD_ID: '42' },
      dir.path,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/PLEX_URL is invalid \(value not shown\): expected an absolute http or https URL/);
    expect(stderr).toMatch(/DISCORD_GUILD_ID="42" is invalid: expected a Discord id/);
  });

  it('refuses PLEX_URL carrying X-Plex-Token: exit 2, names PLEX_URL, never shows the token', () => {
    const env = testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url }) as Record<
      string,
      string
    >;
    const { code, stdout, stderr } = runCliSync(
      ['scan'],
      { ...env, PLEX_URL: `${plex.url}/?X-Plex-Token=leaky-token-123456` },
      dir.path,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /PLEX_URL carries a query or fragment \(it looks like a token\) \(value not shown\)/,
    );
    expect(`${stdout}${stderr}`).not.toContain('leaky-token-123456');
    expect(plex.requests).toEqual([]);
  });

  it('scan --json against a closed port returns promptly with a plex-reachable finding, not a stack trace', async () => {
    const port = await closedPort();
    const env = testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: `http://127.0.0.1:${port}` });
    const started = performance.now();
    const { code, stdout, stderr } = runCliSync(['scan', '--json'], env as Record<string, string>, dir.path);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: { fingerprint: string; severity: string }[] };
    expect(report.findings).toContainEqual(
      expect.objectContaining({ fingerprint: 'plex-reachable:unreachable', severity: 'high' }),
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('scan prints a readable table and exits 0 when nothing is wrong', async () => {
    const env = testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url });
    const { code, stdout } = await runCliInProcess(['scan', '--check', 'plex-reachable'], env);
    expect(stdout).toMatch(/ran: no findings/);
    expect(code).toBe(0);
  });

  it('scan prints findings with evidence and fix lines', async () => {
    plex.state.token = 'rotated-000000000';
    const env = testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url });
    const { code, stdout } = await runCliInProcess(['scan', '--check', 'plex-reachable'], env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/HIGH\s+plex-reachable\s+Plex rejects the configured token/);
    expect(stdout).toMatch(/fix: {6}The token was revoked/);
    expect(stdout).not.toContain('fake-plex-token-0123456789');
  });

  it('rejects an unknown check, command or option with exit code 2', async () => {
    const env = testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: plex.url });
    const unknownCheck = await runCliInProcess(['scan', '--check', 'nope'], env);
    expect(unknownCheck.code).toBe(2);
    expect(unknownCheck.stderr).toMatch(/Unknown check "nope"\. Known checks: .*plex-reachable/);
    expect((await runCliInProcess(['frobnicate'], env)).code).toBe(2);
    expect((await runCliInProcess(['scan', '--bogus'], env)).code).toBe(2);
  });

  it('prints help with every command', async () => {
    const { code, stdout } = await runCliInProcess(['--help'], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/bot\s+Run the Discord bot/);
    expect(stdout).toMatch(/scan\s+Run the checks once/);
    expect(stdout).toMatch(/Exit codes: 0 ok, 1 findings/);
  });
});
