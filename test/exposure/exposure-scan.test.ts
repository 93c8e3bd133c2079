import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/index.js';
import type { Finding } from '../../src/domain/finding.js';
import { ExposureLab } from '../harness/exposure-lab.js';
import type { FakePlex } from '../harness/fake-plex.js';

const above = (findings: readonly Finding[]) => findings.filter((f) => f.severity !== 'info');
const SECRETS = ['secret-plex-online-token', 'fake-plex-token-0123456789'];

/** A misconfiguration, the state change that makes it, and the one finding it must produce. */
interface Scenario {
  readonly name: string;
  readonly apply: (plex: FakePlex) => void;
  readonly fingerprint: string;
  readonly severity: Finding['severity'];
  /** The setting and value the evidence must name. */
  readonly evidence: string;
  /** Findings that necessarily come with it (a vulnerable version is also an outdated one). */
  readonly with?: readonly [string, Finding['severity']][];
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'Remote Access on',
    apply: (p) => {
      p.setPref('PublishServerOnPlexOnlineKey', true);
      Object.assign(p.state.myplexAccount, {
        mappingState: 'mapped',
        publicAddress: '203.0.113.7',
        publicPort: 32400,
      });
    },
    fingerprint: 'plex-remote-access:enabled',
    severity: 'low',
    evidence: 'PublishServerOnPlexOnlineKey=1',
  },
  {
    name: 'manual forward left with Remote Access off',
    apply: (p) => p.setPref('ManualPortMappingMode', '1'),
    fingerprint: 'plex-remote-access:manual-port',
    severity: 'medium',
    evidence: 'ManualPortMappingMode=1',
  },
  {
    name: 'secure connections Preferred',
    apply: (p) => p.setPref('secureConnections', 1),
    fingerprint: 'plex-secure-connections:not-required',
    severity: 'medium',
    evidence: 'secureConnections=1',
  },
  {
    name: 'secure connections Disabled',
    apply: (p) => p.setPref('secureConnections', 2),
    fingerprint: 'plex-secure-connections:not-required',
    severity: 'high',
    evidence: 'secureConnections=2',
  },
  {
    name: 'whole internet allowed without auth',
    apply: (p) => p.setPref('allowedNetworks', '0.0.0.0/0'),
    fingerprint: 'plex-allowed-networks:public:0.0.0.0/0',
    severity: 'critical',
    evidence: 'allowedNetworks contains 0.0.0.0/0',
  },
  {
    name: 'network wider than the LAN allowed without auth',
    apply: (p) => p.setPref('allowedNetworks', '10.0.0.0/255.0.0.0'),
    fingerprint: 'plex-allowed-networks:wider-than-lan:10.0.0.0/8',
    severity: 'high',
    evidence: 'allowedNetworks contains 10.0.0.0/255.0.0.0',
  },
  {
    name: 'plain-http custom URL',
    apply: (p) => p.setPref('customConnections', 'http://plex.example.com:32400'),
    fingerprint: 'plex-published-urls:http:plex.example.com:32400',
    severity: 'high',
    evidence: 'customConnections contains http://plex.example.com:32400',
  },
  {
    name: 'DLNA on',
    apply: (p) => p.setPref('DlnaEnabled', 1),
    fingerprint: 'plex-lan-services:dlna',
    severity: 'low',
    evidence: 'DlnaEnabled=1',
  },
  {
    name: 'known-vulnerable version',
    apply: (p) => {
      p.state.identity.version = '1.43.3.10000-x';
      p.state.root.version = '1.43.3.10000-x';
    },
    fingerprint: 'plex-version:vulnerable',
    severity: 'high',
    evidence: 'version=1.43.3.10000',
    with: [['plex-version:update-available', 'low']],
  },
];

describe('exposure scan across all registered checks', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    lab.plexTv.state.resources = [
      {
        name: 'Home Plex',
        clientIdentifier: 'a'.repeat(40),
        owned: true,
        connections: [
          {
            protocol: 'https',
            address: '192.168.1.10',
            port: 32400,
            uri: 'https://x',
            local: true,
            relay: false,
          },
        ],
      },
    ];
    lab.internetDb.answers.set('203.0.113.7', { ports: [] });
  });
  afterEach(() => lab.stop());

  const env = { PUBLIC_IP: '203.0.113.7' };

  it('finds nothing above info on the secure baseline, and never leaks a secret', async () => {
    const result = await lab.scan(checks, env);
    expect(result.checks.map((c) => [c.id, c.status]).filter(([, s]) => s !== 'ok')).toEqual([]);
    expect(above(result.findings)).toEqual([]);
    expect(JSON.stringify(result.findings)).not.toMatch(new RegExp(SECRETS.join('|')));
  });

  it.each(SCENARIOS)('$name yields exactly its finding', async (scenario) => {
    scenario.apply(lab.plex);
    const result = await lab.scan(checks, env);
    const found = above(result.findings);
    expect(found.map((f) => [f.fingerprint, f.severity]).sort()).toEqual(
      [[scenario.fingerprint, scenario.severity], ...(scenario.with ?? [])].sort(),
    );
    const main = found.find((f) => f.fingerprint === scenario.fingerprint);
    expect(main?.evidence).toContain(scenario.evidence);
    expect(main?.fix.length).toBeGreaterThan(10);
    expect(JSON.stringify(result.findings)).not.toMatch(new RegExp(SECRETS.join('|')));
  });

  it('a hanging Plex is cut at its timeout; the outside checks still report; time ≈ slowest timeout', async () => {
    lab.plex.state.mode = 'hang';
    lab.internetDb.answers.set('203.0.113.7', { ports: [22] });
    const started = performance.now();
    const result = await lab.scan(checks, { ...env, PLEX_TIMEOUT: '400ms', OUTSIDE_TIMEOUT: '400ms' });
    const elapsed = performance.now() - started;
    // Ten Plex checks waiting in turn would take 4 s; shared and parallel they take one timeout.
    expect(elapsed).toBeLessThan(1_400);
    expect(above(result.findings).map((f) => [f.fingerprint, f.severity])).toEqual([
      ['plex-reachable:unreachable', 'high'],
      ['public-footprint:open-ports', 'high'],
    ]);
    expect(result.findings[0]?.evidence).toContain('no answer within 400 ms');
  });

  it('a hanging InternetDB is cut at its timeout while the Plex checks still report', async () => {
    lab.internetDb.answers.set('203.0.113.7', 'hang');
    lab.plex.setPref('secureConnections', 2);
    const started = performance.now();
    const result = await lab.scan(checks, { ...env, OUTSIDE_TIMEOUT: '400ms' });
    expect(performance.now() - started).toBeLessThan(1_400);
    expect(above(result.findings).map((f) => [f.fingerprint, f.severity])).toEqual([
      ['plex-secure-connections:not-required', 'high'],
      ['public-footprint:could-not-run', 'low'],
    ]);
  });

  it('reads each Plex endpoint once per scan, however many checks need it', async () => {
    await lab.scan(checks, env);
    const count = (path: string) => lab.plex.requests.filter((r) => r.path === path).length;
    expect(count('/identity')).toBe(1);
    expect(count('/')).toBe(1);
    expect(count('/:/prefs')).toBe(1);
    expect(count('/myplex/account')).toBeLessThanOrEqual(1);
  });
});
