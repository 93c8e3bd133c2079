import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/sqlite/index.js';
import { runCliSync } from '../harness/cli-runner.js';
import { tempDir, testEnv } from '../harness/test-env.js';

describe('plex-warden whois', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  const env = () =>
    testEnv({ databasePath: join(dir.path, 'db.sqlite'), plexUrl: 'http://127.0.0.1:9' }) as Record<
      string,
      string
    >;

  it('prints scope, network, bans and allow-list entries for an address from the database', () => {
    const store = openStore(join(dir.path, 'db.sqlite'));
    const now = Date.now();
    const ban = store.repos.bans.insertReplacing({
      target: '8.8.8.8',
      reason: 'brute force on sshd',
      origin: 'finding',
      requestedBy: 'finding:brute-force:sshd:8.8.8.8',
      proposalId: undefined,
      backend: 'nftables',
      level: 0,
      createdAt: now - 60_000,
      expiresAt: now + 86_400_000,
    });
    store.repos.allowlist.upsert({ cidr: '8.8.8.0/24', note: 'a test range', addedBy: 'x', addedAt: now });
    store.close();

    const text = runCliSync(['whois', '8.8.8.8'], env(), dir.path);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    // The shipped database (@ip-location-db/asn 2.3.2026061719) says AS15169 Google LLC, US.
    expect(text.stdout).toContain('8.8.8.8 · AS15169 Google LLC · US');
    expect(text.stdout).toMatch(/Banned now: yes, until .*brute force on sshd/);
    expect(text.stdout).toContain(`#${ban.id} `);
    expect(text.stdout).toContain('8.8.8.0/24: a test range');

    const json = runCliSync(['whois', '8.8.8.8', '--json'], env(), dir.path);
    const parsed = JSON.parse(json.stdout) as {
      facts: { asn: number };
      banHistory: unknown[];
      activeBans: unknown[];
      scope: { kind: string };
    };
    expect(parsed.facts.asn).toBe(15169);
    expect(parsed.banHistory).toHaveLength(1);
    expect(parsed.activeBans).toHaveLength(1);
  }, 60_000);

  it('says unknown for a LAN address and rejects what is not an address with exit 2', () => {
    const lan = runCliSync(['whois', '192.168.1.20'], env(), dir.path);
    expect(lan.code).toBe(0);
    expect(lan.stdout).toContain('Network: unknown');
    expect(lan.stdout).toContain('Bans (0):');
    // The same sections as /whois (src/report/whois-sections.ts); Plex at a closed port is "unknown".
    for (const heading of ['Seen in the logs (0):', 'Detector windows (0):', 'Findings (0):', 'InternetDB:'])
      expect(lan.stdout).toContain(heading);
    expect(lan.stdout).toContain('Plex did not answer: unknown');
    expect(lan.stdout).toContain('not asked (WHOIS_INTERNETDB is off)');
    const bad = runCliSync(['whois', 'example.com'], env(), dir.path);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an IPv4 or IPv6 address');
  }, 60_000);
});
