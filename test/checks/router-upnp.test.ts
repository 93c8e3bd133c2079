import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { routerUpnp } from '../../src/checks/router-upnp.js';
import type { ScanShared } from '../../src/checks/types.js';
import type { Finding } from '../../src/domain/finding.js';
import { collectRouterFacts, readRouterFacts, routerPublicIp } from '../../src/exposure/router-facts.js';
import { FakeIgd, type FakeIgdOptions, type FakeMapping, FakeNatPmp } from '../harness/fake-igd.js';
import { FakePlex } from '../harness/fake-plex.js';
import { tempDir, testConfig, testContext, testEnv } from '../harness/test-env.js';

const PLEX_HOST = '192.168.1.10'; // the fake Plex's myplex privateAddress

const m = (
  externalPort: number,
  protocol: string,
  internalClient: string,
  extra: Partial<FakeMapping> = {},
) => ({
  externalPort,
  protocol,
  internalPort: externalPort,
  internalClient,
  description: `app ${externalPort}`,
  lease: 3600,
  ...extra,
});

describe('router-upnp check', () => {
  let dir: ReturnType<typeof tempDir>;
  let plex: FakePlex;
  let igd: FakeIgd | undefined;
  let ctx: AppContext | undefined;

  beforeEach(async () => {
    dir = tempDir();
    plex = new FakePlex();
    await plex.start();
  });
  afterEach(async () => {
    ctx?.close();
    ctx = undefined;
    await igd?.stop();
    igd = undefined;
    await plex.stop();
    dir.remove();
  });

  const scan = async (options: FakeIgdOptions | undefined, env: Record<string, string> = {}) => {
    if (options) igd = await new FakeIgd(options).start();
    ctx = testContext(
      testEnv({
        databasePath: `${dir.path}/db.sqlite`,
        plexUrl: plex.url,
        ...(igd ? { ROUTER_UPNP_URL: igd.descriptionUrl } : {}),
        ...env,
      }),
      { checks: [routerUpnp] },
    );
    const result = await ctx.runner.run({ trigger: 'cli' });
    return result.findings;
  };
  const byKey = (findings: readonly Finding[], key: string) =>
    findings.find((f) => f.fingerprint === `router-upnp:${key}`);

  it('flags the Plex port as high while Plex remote access is off, LAN-only and admin ports as high', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    const findings = await scan({
      mappings: [
        m(32400, 'TCP', PLEX_HOST, { description: 'Plex Media Server' }),
        m(1900, 'UDP', PLEX_HOST, { description: '' }),
        m(32412, 'UDP', PLEX_HOST),
        m(2222, 'TCP', '192.168.1.30', { internalPort: 22, description: 'ssh', lease: 0 }),
        m(51413, 'TCP', '192.168.1.50', { description: 'Transmission', lease: 0 }),
      ],
      externalIp: '203.0.113.7',
    });
    expect(byKey(findings, 'upnp:enabled')).toMatchObject({ severity: 'low' });
    const evidence = byKey(findings, 'upnp:enabled')?.evidence ?? '';
    expect(evidence).toContain('External IP: 203.0.113.7');
    expect(evidence).toContain(
      'TCP 51413 → 192.168.1.50:51413 "Transmission", permanent [other LAN host, no lease]',
    );
    expect(evidence).toContain('UDP 1900 → 192.168.1.10:1900, temporary (lease) [no description]');

    expect(byKey(findings, 'mapping:TCP:32400')).toMatchObject({ severity: 'high' });
    expect(byKey(findings, 'mapping:TCP:32400')?.evidence).toContain('Plex remote access is OFF');
    expect(byKey(findings, 'mapping:UDP:1900')).toMatchObject({ severity: 'high' });
    expect(byKey(findings, 'mapping:UDP:32412')).toMatchObject({ severity: 'high' });
    expect(byKey(findings, 'mapping:TCP:2222')).toMatchObject({
      severity: 'high',
      title: expect.stringContaining('SSH'),
    });
    expect(byKey(findings, 'mapping:TCP:51413')).toBeUndefined();
    expect(byKey(findings, 'mappings:no-lease')?.evidence).toContain('TCP 2222 → 192.168.1.30:22');
    expect(byKey(findings, 'walk:capped')).toBeUndefined();
    expect(byKey(findings, 'wan:cgnat')).toBeUndefined();
  });

  it('the Plex mapping is medium when remote access is on, and when its state is unknown', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', true);
    let findings = await scan({ mappings: [m(32400, 'TCP', PLEX_HOST)] });
    expect(byKey(findings, 'mapping:TCP:32400')).toMatchObject({ severity: 'medium' });
    expect(byKey(findings, 'mapping:TCP:32400')?.evidence).toContain('intended exposure');
    ctx?.close();
    await igd?.stop();
    igd = undefined;
    plex.state.mode = 'garbage';
    findings = await scan({ mappings: [m(32400, 'TCP', PLEX_HOST)] });
    expect(byKey(findings, 'mapping:TCP:32400')).toMatchObject({ severity: 'medium' });
    expect(byKey(findings, 'mapping:TCP:32400')?.evidence).toContain('state unknown');
  });

  it('a Plex public port other than 32400 forwarded to the Plex host is recognised', async () => {
    plex.setPref('PublishServerOnPlexOnlineKey', false);
    plex.state.myplexAccount.publicPort = 40123;
    const findings = await scan({ mappings: [m(40123, 'TCP', PLEX_HOST, { internalPort: 32400 })] });
    expect(byKey(findings, 'mapping:TCP:40123')).toMatchObject({ severity: 'high' });
  });

  it('does not re-alert as leases count down or the router reorders its table', async () => {
    igd = await new FakeIgd({
      mappings: [m(32400, 'TCP', PLEX_HOST), m(51413, 'TCP', '192.168.1.50'), m(3074, 'UDP', '192.168.1.60')],
    }).start();
    ctx = testContext(
      testEnv({
        databasePath: `${dir.path}/db.sqlite`,
        plexUrl: plex.url,
        ROUTER_UPNP_URL: igd.descriptionUrl,
      }),
      { checks: [routerUpnp] },
    );
    const first = await ctx.runner.run({ trigger: 'cli' });
    expect(first.changes.opened.length).toBeGreaterThan(0);
    igd.mappings = igd.mappings.map((x) => ({ ...x, lease: Number(x.lease) - 1800 })).reverse();
    const second = await ctx.runner.run({ trigger: 'cli' });
    expect(second.changes.opened).toEqual([]);
    expect(second.changes.changed).toEqual([]);
    igd.mappings.push(m(5900, 'TCP', '192.168.1.70'));
    const third = await ctx.runner.run({ trigger: 'cli' });
    expect(third.changes.changed.map((c) => c.finding.fingerprint)).toEqual(['router-upnp:upnp:enabled']);
    expect(third.changes.opened.map((f) => f.fingerprint)).toEqual(['router-upnp:mapping:TCP:5900']);
  });

  it('reports the router and Plex disagreeing about the public address, and does not protect the router one', async () => {
    plex.state.myplexAccount.publicAddress = '198.51.100.40';
    const findings = await scan({ externalIp: '198.0.0.11' });
    expect(byKey(findings, 'wan:disagree')).toMatchObject({
      severity: 'medium',
      title: 'The router and Plex disagree about your public address',
    });
    expect(byKey(findings, 'wan:disagree')?.evidence).toContain('198.0.0.11');
    expect(byKey(findings, 'wan:disagree')?.evidence).toContain('198.51.100.40');
    const app = ctx as AppContext;
    expect(app.scope.learnedAddresses().map((a) => [a.source, a.ip])).toEqual([
      ['plex', '198.51.100.40'],
      ['router', '198.0.0.11'],
    ]);
    // A forged GetExternalIPAddress must not shield its address from blocking.
    expect(app.scope.classify('198.0.0.11').kind).toBe('outside');
    expect(app.actions.bans.check('198.0.0.11').ok).toBe(true);
    expect(app.scope.classify('198.51.100.40')).toMatchObject({ kind: 'self', code: 'own-ip' });

    // Plex now sees the same address: the finding resolves and the router's address is trusted.
    plex.state.myplexAccount.publicAddress = '198.0.0.11';
    const again = await app.runner.run({ trigger: 'cli' });
    expect(again.changes.resolved.map((f) => f.fingerprint)).toContain('router-upnp:wan:disagree');
    expect(app.scope.classify('198.0.0.11')).toMatchObject({
      kind: 'self',
      reason: expect.stringContaining('Plex and the router (UPnP)'),
    });
    expect(app.actions.bans.check('198.0.0.11').ok).toBe(false);
  });

  it('says it was skipped, and why, when discovery is off and no URL is set', async () => {
    const findings = await scan(undefined);
    expect(findings).toEqual([
      expect.objectContaining({
        fingerprint: 'router-upnp:router:skipped',
        severity: 'info',
        evidence: expect.stringContaining('ROUTER_DISCOVERY=off'),
      }),
    ]);
  });

  it('a router that does not answer is info, not an error', async () => {
    const findings = await scan(undefined, { ROUTER_UPNP_URL: 'http://127.0.0.1:9/rootDesc.xml' });
    expect(findings).toEqual([
      expect.objectContaining({
        fingerprint: 'router-upnp:upnp:none',
        severity: 'info',
        title: 'No UPnP router answered',
      }),
    ]);
  });

  it('explains CGNAT and double NAT', async () => {
    let findings = await scan({ externalIp: '100.72.1.2' });
    expect(byKey(findings, 'wan:cgnat')?.evidence).toContain('100.64.0.0/10');
    ctx?.close();
    await igd?.stop();
    igd = undefined;
    findings = await scan({ externalIp: '192.168.0.2' });
    expect(byKey(findings, 'wan:double-nat')?.evidence).toContain('192.168.0.2');
  });

  it('reports a 10,000-entry table as capped', async () => {
    const findings = await scan({ flavor: 'igd1', tableSize: 10_000 }, { UPNP_MAX_MAPPINGS: '300' });
    expect(byKey(findings, 'walk:capped')).toMatchObject({
      severity: 'low',
      title: expect.stringContaining('300 entries'),
    });
    expect(byKey(findings, 'upnp:enabled')?.evidence).toContain('300 port mappings (capped)');
    expect(byKey(findings, 'upnp:enabled')?.evidence).toContain('… and 275 more');
  });
});

describe('router facts', () => {
  it('are computed once per scan and shared', async () => {
    const igd = await new FakeIgd({ mappings: [m(5000, 'TCP', '192.168.1.2')] }).start();
    try {
      const config = testConfig(
        testEnv({
          databasePath: ':memory:',
          plexUrl: 'http://127.0.0.1:9',
          ROUTER_UPNP_URL: igd.descriptionUrl,
        }),
      );
      const cache = new Map<string, Promise<unknown>>();
      const shared: ScanShared = {
        once: <T>(key: string, compute: () => Promise<T>) => {
          if (!cache.has(key)) cache.set(key, compute());
          return cache.get(key) as Promise<T>;
        },
      };
      const ctx = { config, signal: new AbortController().signal, shared };
      const [a, b] = await Promise.all([readRouterFacts(ctx), readRouterFacts(ctx)]);
      expect(a).toBe(b);
      expect(a).toMatchObject({ upnpAvailable: true, externalIp: '203.0.113.9', error: undefined });
      expect(a.mappings).toHaveLength(1);
      expect(igd.requests.filter((r) => r.action === 'GetExternalIPAddress')).toHaveLength(1);
    } finally {
      await igd.stop();
    }
  });

  it('read NAT-PMP beside UPnP and the two addresses can be compared', async () => {
    const igd = await new FakeIgd({ externalIp: '198.51.100.8' }).start();
    const natPmp = await new FakeNatPmp('198.51.100.8').start();
    try {
      const config = testConfig(
        testEnv({
          databasePath: ':memory:',
          plexUrl: 'http://127.0.0.1:9',
          ROUTER_UPNP_URL: igd.descriptionUrl,
          NATPMP_GATEWAY: '127.0.0.1',
        }),
      );
      const facts = await collectRouterFacts(config.router, undefined, { natPmpPort: natPmp.port });
      expect(facts.natPmpExternalIp).toBe('198.51.100.8');
      expect(facts.natPmpExternalIp).toBe(facts.externalIp);
      // 198.51.100.0/24 is a documentation range: not what the internet sees.
      expect(routerPublicIp(facts)).toBeUndefined();
      expect(routerPublicIp({ ...facts, externalIp: '198.0.0.11' })).toBe('198.0.0.11');
      expect(
        routerPublicIp({ ...facts, externalIp: '100.64.3.4', natPmpExternalIp: undefined }),
      ).toBeUndefined();
      expect(routerPublicIp({ ...facts, externalIp: '10.0.0.2', natPmpExternalIp: '8.8.4.4' })).toBe(
        '8.8.4.4',
      );
    } finally {
      await igd.stop();
      await natPmp.stop();
    }
  });
});
