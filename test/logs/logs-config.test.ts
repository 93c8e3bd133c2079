import { describe, expect, it } from 'vitest';
import { ConfigError, type Env, loadConfig } from '../../src/config/index.js';

const load = (env: Env) => loadConfig(env, { requireDiscord: false }).logs;
const problems = (env: Env): string[] => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('log review configuration', () => {
  it('reads sources with kinds, optional names and unique ids', () => {
    const logs = load({
      LOG_SOURCES:
        'plex:/srv/plex/Logs, nginx:/var/log/nginx/access.log,nginx:/var/log/nginx/other.log,edge=caddy:/var/log/caddy/access.log',
    });
    expect(logs.sources).toEqual([
      { id: 'plex', kind: 'plex', path: '/srv/plex/Logs' },
      { id: 'nginx', kind: 'nginx', path: '/var/log/nginx/access.log' },
      { id: 'nginx-2', kind: 'nginx', path: '/var/log/nginx/other.log' },
      { id: 'edge', kind: 'caddy', path: '/var/log/caddy/access.log' },
    ]);
    expect(load({}).sources).toEqual([]);
  });

  it('names LOG_SOURCES and what is wrong: unknown kind, relative path, duplicate name', () => {
    const found = problems({ LOG_SOURCES: 'iis:/x.log,nginx:logs/access.log,a=sshd:/a,a=sshd:/b' });
    expect(found).toHaveLength(3);
    expect(found.every((p) => p.startsWith('LOG_SOURCES='))).toBe(true);
    expect(found[0]).toContain('unknown kind in "iis:/x.log"');
    expect(found[1]).toContain('is not absolute');
    expect(found[2]).toContain('used twice');
  });

  it('applies global thresholds to every kind and per-kind overrides on top', () => {
    const logs = load({
      LOG_MAX_RETRY: '7',
      LOG_MAX_RETRY_SSHD: '3',
      LOG_FIND_TIME: '5m',
      LOG_BAN_DURATION: '2h',
    });
    expect(logs.settings.nginx.maxRetry).toBe(7);
    expect(logs.settings.plex.maxRetry).toBe(7);
    expect(logs.settings.sshd.maxRetry).toBe(3);
    expect(logs.settings.caddy.findTimeMs).toBe(300_000);
    expect(logs.settings.sshd.banDurationMs).toBe(7_200_000);
    // Defaults by kind when nothing is set.
    const d = load({});
    expect([d.settings.plex.maxRetry, d.settings.nginx.maxRetry, d.settings.sshd.maxRetry]).toEqual([
      20, 10, 5,
    ]);
    expect(d.settings.sshd.detectors).toEqual(['brute-force', 'first-seen-remote']);
    expect([d.settings.sshd.slowMaxRetry, d.settings.sshd.slowFindTimeMs]).toEqual([20, 86_400_000]);
    expect(d.settings.sshd.ipv6Prefix).toBe(64);
  });

  it('reports each bad value once, with the expected form', () => {
    const found = problems({
      LOG_MAX_RETRY: 'lots',
      LOG_DETECTORS_NGINX: 'brute-force,magic',
      LOG_TIMEZONE: 'Mars/Olympus',
      LOG_BACKFILL_BYTES: 'huge',
    });
    expect(found.filter((p) => p.startsWith('LOG_MAX_RETRY='))).toHaveLength(1);
    expect(found.some((p) => p.startsWith('LOG_DETECTORS_NGINX=') && p.includes('owner-new-address'))).toBe(
      true,
    );
    expect(found.some((p) => p.startsWith('LOG_TIMEZONE=') && p.includes('IANA'))).toBe(true);
    expect(found.some((p) => p.startsWith('LOG_BACKFILL_BYTES=') && p.includes('64m'))).toBe(true);
  });

  it('reads sizes, the zone and the interval', () => {
    const logs = load({
      LOG_BACKFILL_BYTES: '512k',
      LOG_COMMIT_BYTES: '1g',
      LOG_TIMEZONE: 'Europe/Berlin',
      LOG_REVIEW_INTERVAL: '2m',
    });
    expect(logs.backfillBytes).toBe(512 * 1024);
    expect(logs.commitBytes).toBe(1024 ** 3);
    expect(logs.timeZone).toBe('Europe/Berlin');
    expect(logs.reviewIntervalMs).toBe(120_000);
  });
});
