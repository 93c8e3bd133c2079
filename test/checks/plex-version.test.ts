import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparePlexVersions } from '../../src/adapters/plex/plex-version-number.js';
import { plexVersion } from '../../src/checks/plex-version.js';
import { affects, PLEX_ADVISORIES, type PlexAdvisory } from '../../src/exposure/plex-advisories.js';
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

  it('places versions at the documented range edges', () => {
    expect(hit('1.42.2.10156-x')).toContain('cve-2025-69414');
    expect(hit('1.42.2.10157-x')).not.toContain('cve-2025-69414');
    expect(hit('1.41.6.9999-x')).not.toContain('plex-2025-08');
    expect(hit('1.41.7.9799-x')).toContain('plex-2025-08');
    expect(hit('1.42.0.9975-x')).toContain('plex-2025-08');
    expect(hit('1.42.1.10060-x')).not.toContain('plex-2025-08');
    expect(hit('1.19.2.2737-x', 'Windows')).toContain('cve-2020-5741');
    expect(hit('1.19.2.2737-x', 'Linux')).not.toContain('cve-2020-5741');
    expect(hit('1.43.3.10861-x')).toEqual([]);
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

  it('names the advisory, the version and the fixed release for a vulnerable server', async () => {
    setVersion('1.42.0.9975-3ab7f0ccf');
    lab.plexTv.state.versions.Linux = '1.43.3.10861-0f1e2d3c4';
    const result = await lab.scan([plexVersion]);
    expect(keysOf(result.findings)).toEqual([
      ['update-available', 'low'],
      ['vulnerable:cve-2025-69414', 'high'],
      ['vulnerable:plex-2025-08', 'high'],
      ['vulnerable:plex2shell-2026', 'critical'],
    ]);
    const aug = result.findings.find((f) => f.key === 'vulnerable:plex-2025-08');
    expect(aug?.evidence).toContain(
      'version=1.42.0.9975 (Linux); affected from 1.41.7.0 before 1.42.1.10060',
    );
    expect(aug?.fix).toContain('1.42.1.10060 or later');
    expect(result.findings.find((f) => f.key === 'update-available')?.evidence).toBe(
      "version=1.42.0.9975; plex.tv's public downloads list 1.43.3.10861",
    );
  });

  it('reports an update offered by the server updater, noting installs that cannot self-update', async () => {
    lab.plex.state.updaterReleases = [
      { version: '1.43.4.11000-aaaa', state: 'notify' },
      { version: '1.43.3.10000-old', state: 'skipped' },
    ];
    const result = await lab.scan([plexVersion]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'update-available',
        severity: 'low',
        evidence: expect.stringContaining(
          'updater offers 1.43.4.11000, state=notify (this install cannot update itself)',
        ),
      }),
    ]);
  });

  it('does not call a beta build outdated', async () => {
    setVersion('1.44.0.12000-beta');
    expect((await lab.scan([plexVersion])).findings).toEqual([]);
  });

  it('still judges the version when plex.tv is unreachable', async () => {
    setVersion('1.42.2.10156-x');
    const result = await lab.scan([plexVersion], { PLEX_TV_URL: 'http://127.0.0.1:9' });
    expect(result.checks[0]?.status).toBe('ok');
    expect(keysOf(result.findings).map(([k]) => k)).toEqual([
      'vulnerable:cve-2025-69414',
      'vulnerable:plex2shell-2026',
    ]);
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
    expect(keysOf(result.findings).map(([k]) => k)).toEqual([
      'update-available',
      'vulnerable:cve-2025-69414',
      'vulnerable:plex2shell-2026',
    ]);
  });
});

describe('plex-version when both update sources are away', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('keeps "update available" open instead of resolving it, and resolves it once up to date', async () => {
    lab.plexTv.state.versions.Linux = '1.43.4.11000-new';
    const first = await lab.scan([plexVersion]);
    expect(keysOf(first.findings)).toEqual([['update-available', 'low']]);
    lab.plexTv.state.mode = 'error';
    lab.plex.state.routes['/updater/status'] = { status: 500, text: 'boom' };
    const away = await lab.scan([plexVersion]);
    expect(away.changes.resolved).toEqual([]);
    expect(away.changes.changed).toEqual([]);
    lab.plexTv.state.mode = 'normal';
    lab.plexTv.state.versions.Linux = '1.43.3.10861-0f1e2d3c4';
    const current = await lab.scan([plexVersion]);
    expect(current.changes.resolved.map((f) => f.key)).toEqual(['update-available']);
  });
});
