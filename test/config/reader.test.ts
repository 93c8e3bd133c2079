import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { ACTIONS, CORE, LOGS, PLEX } from '../../src/config/keys/index.js';
import { EnvReader } from '../../src/config/reader.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { requireDiscord: false });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('EnvReader over the table', () => {
  it('returns the default for a missing, empty or invalid key with a default', () => {
    const r = new EnvReader({ CHECK_TIMEOUT: '  ', PLEX_TIMEOUT: 'soon' });
    expect(r.value(CORE.keys.CHECK_TIMEOUT)).toBe(10_000);
    expect(r.value(PLEX.keys.PLEX_TIMEOUT)).toBe(5_000);
    expect(r.value(CORE.keys.SCAN_SCHEDULE)).toBe('*/30 * * * *');
    expect(r.problems).toEqual([
      'PLEX_TIMEOUT="soon" is invalid: expected a duration from 100ms to 2m, such as 30s, 15m, 2h or 7d',
    ]);
  });

  it("reads a section's fields from the table in table order, and leaves the keys without one to their reader", () => {
    const r = new EnvReader({ PLEX_TV_URL: 'ftp://x', PLEX_TIMEOUT: 'soon', BLOCK_COMMAND: 'relative' });
    expect(r.fields(PLEX)).toEqual({
      url: 'http://127.0.0.1:32400',
      token: undefined,
      timeoutMs: 5_000,
      downGraceMs: 60_000,
      tvUrl: 'https://plex.tv',
    });
    expect(r.problems.map((p) => p.split(/[ =]/)[0])).toEqual(['PLEX_TIMEOUT', 'PLEX_TV_URL']);
    // BLOCK_COMMAND has no field (its requirement depends on FIREWALL_BACKEND): not read here.
    expect('blockCommand' in r.fields(ACTIONS)).toBe(false);
    expect(r.problems).toHaveLength(2);
  });

  it('states the bounds of a duration it refuses', () => {
    expect(problems({ CHECK_TIMEOUT: '20m' })).toEqual([
      'CHECK_TIMEOUT="20m" is invalid: expected a duration from 100ms to 10m, such as 30s, 15m, 2h or 7d',
    ]);
  });

  it('never repeats a secret value, and reports a required key without a value', () => {
    const r = new EnvReader({ PLEX_TOKEN: 'abc def ghi' });
    expect(r.value(PLEX.keys.PLEX_TOKEN)).toBeUndefined();
    expect(r.value(ACTIONS.keys.BLOCK_COMMAND, { required: true })).toBeUndefined();
    expect(r.problems.join('\n')).not.toContain('abc');
    expect(r.problems).toEqual([
      'PLEX_TOKEN=<hidden> is invalid: expected the X-Plex-Token of the server owner (at least 8 characters, no spaces)',
      'BLOCK_COMMAND is missing: expected the absolute path of an executable script (called with block|unblock, ip, seconds)',
    ]);
  });

  it('reports every problem of every section together', () => {
    const found = problems({
      LOG_LEVEL: 'loud',
      PLEX_URL: 'nope',
      LAN_CIDRS: '10.0.0.0/8,banana',
      UPNP_MAX_MAPPINGS: '0',
      LOG_MAX_RETRY_SSHD: 'x',
      AUTO_BLOCK: 'maybe',
    }).map((p) => p.split(/[= ]/)[0]);
    expect(found).toEqual([
      'LOG_LEVEL',
      'PLEX_URL',
      'LAN_CIDRS',
      'UPNP_MAX_MAPPINGS',
      'LOG_MAX_RETRY_SSHD',
      'AUTO_BLOCK',
    ]);
  });

  it('names each bad LOG_SOURCES item and the kinds it accepts', () => {
    const found = problems({ LOG_SOURCES: 'nginx:/var/log/a.log,iis:/x,sshd:auth.log' });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^LOG_SOURCES=".*" is invalid: expected .* kind one of plex, nginx, apache/);
    expect(found[0]).toContain('(unknown kind in "iis:/x")');
    expect(found[1]).toContain('(path of "sshd:auth.log" is not absolute)');
  });

  it('lets a per-kind key override the global one, which overrides the kind default', () => {
    const { logs } = loadConfig(
      { LOG_MAX_RETRY: '7', LOG_MAX_RETRY_SSHD: '3', LOG_DETECTORS_NGINX: 'probing' },
      { requireDiscord: false },
    );
    expect(logs.settings.sshd.maxRetry).toBe(3);
    expect(logs.settings.plex.maxRetry).toBe(7);
    expect(logs.settings.nginx.detectors).toEqual(['probing']);
    expect(logs.settings.plex.detectors).toContain('owner-new-address');
    expect(problems({ LOG_DETECTORS_SSHD: 'brute-force,nonsense' })[0]).toMatch(
      /^LOG_DETECTORS_SSHD="brute-force,nonsense" is invalid: expected a comma-separated list of brute-force, probing/,
    );
  });

  it('keeps a default ban within BAN_MAX_DURATION', () => {
    expect(problems({ BAN_MAX_DURATION: '1h', BAN_DEFAULT_DURATION: '2h' })).toEqual([
      'BAN_DEFAULT_DURATION="2h" is invalid: expected a duration no longer than BAN_MAX_DURATION (1h)',
    ]);
  });

  it('reads the size and time zone kinds', () => {
    const { logs } = loadConfig(
      { LOG_BACKFILL_BYTES: '0', LOG_COMMIT_BYTES: '512k', LOG_TIMEZONE: 'Europe/Berlin' },
      { requireDiscord: false },
    );
    expect(logs).toMatchObject({ backfillBytes: 0, commitBytes: 512 * 1024, timeZone: 'Europe/Berlin' });
    expect(
      problems({ LOG_COMMIT_BYTES: '0', LOG_TIMEZONE: 'Mars/Olympus' }).map((p) => p.split('=')[0]),
    ).toEqual(['LOG_TIMEZONE', 'LOG_COMMIT_BYTES']);
    expect(LOGS.keys.LOG_TIMEZONE.defaultText).toBe('');
  });
});
