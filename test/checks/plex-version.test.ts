import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparePlexVersions } from '../../src/adapters/plex/plex-version-number.js';
import { plexVersion } from '../../src/checks/plex-version.js';
import {
  affects,
  assertSourced,
  PLEX_ADVISORIES,
  type PlexAdvisory,
  severityOf,
} from '../../src/exposure/plex-advisories.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';

describe('plex version numbers and advisories', () => {
  it('compares the first four numbers and ignores the build hash', () => {
    expect(comparePlexVersions('1.42.1.10060-abc', '1.42.1.10060-def')).toBe(0);
    expect(comparePlexVersions('1.42.10.1-a', '1.42.9.99999-a')).toBe(1);
    expect(comparePlexVersions('1.9.0.0', '1.10.0.0')).toBe(-1);
    expect(comparePlexVersions('banana', '1.0.0.0')).toBeUndefined();
  });

  const hit = (version: string, platform = 'Linux') =>
    (PLEX_ADVISORIES as readonly PlexAdvisory[])
      .filter((a) => affects(a, version, platform))
      .map((a) => a.id);

  it('places versions at the published range edges', () => {
    expect(hit('1.42.2.10156-x')).toContain('cve-2025-69414');
    expect(hit('1.42.2.10156-x')).toContain('cve-2025-69415');
    expect(hit('1.42.2.10157-x')).not.toContain('cve-2025-69414');
    expect(hit('1.41.6.9999-x')).not.toContain('cve-2025-34158');
    expect(hit('1.41.7.9799-x')).toContain('cve-2025-34158');
    expect(hit('1.42.0.9975-x')).toContain('cve-2025-34158');
    expect(hit('1.42.1.10060-x')).not.toContain('cve-2025-34158');
    expect(hit('1.19.2.2737-x', 'Windows')).toContain('cve-2020-5741');
    expect(hit('1.19.2.2737-x', 'Linux')).not.toContain('cve-2020-5741');
    expect(hit('1.24.4.5081-x', 'Windows')).toContain('cve-2021-42835');
    expect(hit('1.24.4.5081-x', 'Linux')).not.toContain('cve-2021-42835');
    expect(hit('1.21.3.4013-x')).toContain('cve-2021-33959');
    expect(hit('1.21.3.4014-x')).not.toContain('cve-2021-33959');
    expect(hit('1.18.2.2040-x')).toContain('cve-2019-19141');
    expect(hit('1.18.2.2041-x')).not.toContain('cve-2019-19141');
    expect(hit('1.43.3.10828-x')).toContain('cve-2026-96651');
    expect(hit('1.43.3.10861-x')).toEqual(['metadata-file-read', 'profile-extra-rce']);
    expect(hit('1.43.3.10896-x')).toEqual(['agentservice-symlink-read']);
    expect(hit('1.43.4.10903-x')).toEqual([]);
    expect(hit('1.43.4.10910-x')).toEqual([]);
  });

  it('every row names a source, a published severity and a version range or platform', () => {
    for (const a of PLEX_ADVISORIES as readonly PlexAdvisory[]) {
      expect(a.sources.length, a.id).toBeGreaterThan(0);
      for (const url of a.sources) expect(url, a.id).toMatch(/^https:\/\/[^\s]+$/);
      expect(a.fixedIn ?? a.lastAffected ?? a.platforms, a.id).toBeDefined();
      expect(['low', 'medium', 'high', 'critical'], a.id).toContain(severityOf(a));
    }
    const ids = PLEX_ADVISORIES.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a row without a source is refused by the check that guards the table', () => {
    const bad = { ...PLEX_ADVISORIES[0], sources: [] } as unknown as PlexAdvisory;
    expect(() => assertSourced([...PLEX_ADVISORIES, bad])).toThrow(/agentservice-symlink-read has no source/);
    expect(() => assertSourced(PLEX_ADVISORIES)).not.toThrow();
  });

  it('maps published scores through the one documented table', () => {
    const row = (score: number, exploited = false): PlexAdvisory => ({
      id: 'x',
      name: 'x',
      sources: ['https://example.org/x'],
      published: { cvss: [{ version: '3.1', score, vector: 'v' }] },
      ...(exploited ? { exploited: { source: 'https://example.org/kev' } } : {}),
      summary: 'x',
      fixedIn: '1.0.0.0',
    });
    expect([9.0, 7.0, 6.9, 4.0, 3.9].map((n) => severityOf(row(n)))).toEqual([
      'critical',
      'high',
      'medium',
      'medium',
      'low',
    ]);
    expect(severityOf(row(7.2, true))).toBe('critical');
    const a96651 = PLEX_ADVISORIES.find((a) => a.id === 'cve-2026-96651');
    // 6.5 (v3.1) and 7.1 (v4.0) published: the higher one decides.
    expect(a96651 && severityOf(a96651)).toBe('high');
  });
});

describe('plex-version', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  const setVersion = (version: string) => {
    lab.plex.state.identity.version = version;
    lab.plex.state.root.version = version;
  };

  it('is quiet on the current public release', async () => {
    const result = await lab.scan([plexVersion]);
    expect(result.findings).toEqual([]);
    expect(
      lab.plex.requests.some(
        (r) => r.method === 'PUT' && r.path === '/updater/check' && r.query.download === '0',
      ),
    ).toBe(true);
  });

  it('flags 1.43.3.10861 high or worse: the file read exposing the token and the RCE fixed only in 10896', async () => {
    setVersion('1.43.3.10861-07dfddaeb');
    const result = await lab.scan([plexVersion]);
    expect(keysOf(result.findings)).toEqual([
      ['update-available', 'low'],
      ['vulnerable', 'high'],
    ]);
    const vulnerable = result.findings.find((f) => f.key === 'vulnerable');
    expect(vulnerable?.title).toBe(
      'Plex 1.43.3.10861 is affected by 2 published flaws; update to 1.43.3.10896 or later',
    );
    expect(vulnerable?.evidence).toContain('metadata file:// read');
    expect(vulnerable?.evidence).toContain('PlexOnlineToken');
    expect(vulnerable?.evidence).toContain('fixed in 1.43.3.10896');
    expect(vulnerable?.evidence).toContain('https://github.com/Zenofex/Plex_Vuln_PoCs');
    expect(vulnerable?.fix).toContain('Version 1.43.3.10896 or later');
  });

  it('flags CVE-2026-96651 (the token read) high on the builds its record names, with the highest fix as the target', async () => {
    setVersion('1.43.3.10828-00f62d37d');
    const result = await lab.scan([plexVersion]);
    const vulnerable = result.findings.find((f) => f.key === 'vulnerable');
    expect(vulnerable?.severity).toBe('high');
    for (const id of [
      'CVE-2026-96651',
      'CVE-2026-96652',
      'CVE-2026-96654',
      'CVE-2026-96655',
      'CVE-2026-96656',
    ])
      expect(vulnerable?.evidence).toContain(id);
    expect(vulnerable?.evidence).toContain(
      'CVE-2026-96651 [high; CVSS 3.1 6.5 / 4.0 7.1; fixed in 1.43.3.10861]',
    );
    // Every applying advisory with its fixed version; the target is the highest of them.
    expect(vulnerable?.title).toContain('update to 1.43.3.10896 or later');
  });

  it('names each advisory with its fix on an old server, and says which have no named fix', async () => {
    setVersion('1.42.0.9975-3ab7f0ccf');
    const result = await lab.scan([plexVersion]);
    expect(keysOf(result.findings)).toEqual([
      ['update-available', 'low'],
      ['vulnerable', 'high'],
    ]);
    const vulnerable = result.findings.find((f) => f.key === 'vulnerable');
    expect(vulnerable?.evidence).toContain(
      'CVE-2025-34158 (the Plex security notice of August 2025) [high; no published rating',
    );
    expect(vulnerable?.evidence).toContain('fixed in 1.42.1.10060');
    expect(vulnerable?.evidence).toContain(
      'CVE-2025-69414 [high; CVSS 3.1 8.5; no fixed release named (affected up to 1.42.2.10156)]',
    );
    expect(vulnerable?.fix).toContain(
      'No source names the release that fixes CVE-2025-69414, CVE-2025-69415',
    );
    expect(result.findings.find((f) => f.key === 'update-available')?.evidence).toBe(
      "version=1.42.0.9975; plex.tv's public downloads list 1.43.4.10910",
    );
  });

  it('is clean on 1.43.4.10910', async () => {
    setVersion('1.43.4.10910-0f1e2d3c4');
    expect((await lab.scan([plexVersion])).findings).toEqual([]);
  });

  it("asks the feed's Mac entry for a MacOSX server", async () => {
    lab.plex.state.root.platform = 'MacOSX';
    lab.plexTv.state.versions = { Linux: '1.43.4.10910-a', Mac: '1.43.5.11000-b' };
    const result = await lab.scan([plexVersion]);
    expect(result.findings.find((f) => f.key === 'update-available')?.evidence).toBe(
      "version=1.43.4.10910; plex.tv's public downloads list 1.43.5.11000",
    );
  });

  it("reads a NAS build's version under the feed's nas entries", async () => {
    lab.plex.state.root.platform = 'Synology';
    lab.plexTv.state.nasVersions = { Synology: '1.43.5.11000-b' };
    const result = await lab.scan([plexVersion]);
    expect(result.findings.find((f) => f.key === 'update-available')?.evidence).toContain(
      "plex.tv's public downloads list 1.43.5.11000",
    );
  });

  it('says an unknown platform instead of comparing against the Linux build', async () => {
    lab.plex.state.root.platform = 'PlanetOS';
    lab.plexTv.state.versions = { Linux: '1.43.5.11000-b' };
    lab.plex.state.updaterReleases = [{ version: '1.43.5.11000-b', state: 'available' }];
    const result = await lab.scan([plexVersion]);
    const update = result.findings.find((f) => f.key === 'update-available');
    expect(update?.evidence).not.toContain("plex.tv's public downloads list");
    expect(update?.evidence).toContain(`plex.tv's downloads feed has no entry for platform "PlanetOS"`);
  });

  it('reports an update offered by the server updater, noting installs that cannot self-update (canInstall)', async () => {
    // Shape of home-assistant/core tests/components/plex/fixtures/release_new_not_updatable.xml.
    lab.plex.state.updaterCanInstall = false;
    lab.plex.state.updaterReleases = [
      { version: '1.43.5.11000-aaaa', state: 'notify' },
      { version: '1.43.3.10000-old', state: 'skipped' },
    ];
    const result = await lab.scan([plexVersion]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'update-available',
        severity: 'low',
        evidence: expect.stringContaining(
          'updater offers 1.43.5.11000, state=notify (this install cannot update itself: canInstall=0)',
        ),
      }),
    ]);
  });

  it('does not call a beta build outdated', async () => {
    setVersion('1.44.0.12000-beta');
    expect((await lab.scan([plexVersion])).findings).toEqual([]);
  });

  it('does not call state="notify" unable to self-update when canInstall says it can', async () => {
    lab.plex.state.updaterCanInstall = true;
    lab.plex.state.updaterReleases = [{ version: '1.43.5.11000-aaaa', state: 'notify' }];
    const result = await lab.scan([plexVersion]);
    expect(result.findings[0]?.evidence).toContain('state=notify (this install can update itself)');
  });

  it('still judges the version when plex.tv is unreachable', async () => {
    setVersion('1.42.2.10156-x');
    const result = await lab.scan([plexVersion], { PLEX_TV_URL: 'http://127.0.0.1:9' });
    expect(result.checks[0]?.status).toBe('ok');
    expect(keysOf(result.findings)).toEqual([['vulnerable', 'high']]);
  });

  it('reports an unreadable version as could-not-run', async () => {
    setVersion('weird');
    const result = await lab.scan([plexVersion]);
    expect(keysOf(result.findings)).toEqual([['could-not-run', 'low']]);
  });
});

describe('plex-version when the updater misbehaves', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('keeps the advisory findings when /updater/status fails', async () => {
    lab.plex.state.identity.version = '1.42.2.10156-x';
    lab.plex.state.root.version = '1.42.2.10156-x';
    lab.plex.state.routes['/updater/status'] = { status: 500, text: 'boom' };
    const result = await lab.scan([plexVersion]);
    expect(result.checks[0]?.status).toBe('ok');
    expect(keysOf(result.findings).map(([k]) => k)).toEqual(['update-available', 'vulnerable']);
  });
});

describe('plex-version when both update sources are away', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('keeps "update available" open instead of resolving it, and resolves it once up to date', async () => {
    lab.plexTv.state.versions.Linux = '1.43.5.11000-new';
    const first = await lab.scan([plexVersion]);
    expect(keysOf(first.findings)).toEqual([['update-available', 'low']]);
    lab.plexTv.state.mode = 'error';
    lab.plex.state.routes['/updater/status'] = { status: 500, text: 'boom' };
    const away = await lab.scan([plexVersion]);
    expect(away.changes.resolved).toEqual([]);
    expect(away.changes.changed).toEqual([]);
    lab.plexTv.state.mode = 'normal';
    lab.plexTv.state.versions.Linux = '1.43.4.10910-0f1e2d3c4';
    const current = await lab.scan([plexVersion]);
    expect(current.changes.resolved.map((f) => f.key)).toEqual(['update-available']);
  });
});
