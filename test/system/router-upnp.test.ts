import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MappingWalk } from '../../src/adapters/router/igd-client.js';
import type { Finding } from '../../src/domain/finding.js';
import type { RouterFacts } from '../../src/exposure/router-facts.js';
import { LAB, RouterLab } from '../harness/router-lab.js';
import { describeSystem } from '../harness/system-gate.js';

const PROBE = resolve('test/harness/router-probe.ts');
const TOOLS = ['miniupnpd', 'upnpc', 'natpmpc', 'nft', 'ip'] as const;

type CheckOutput = { findings: Finding[] };
const byKey = (out: CheckOutput, key: string) =>
  out.findings.find((f) => f.fingerprint === `router-upnp:${key}`);

describeSystem('router-upnp against a real miniupnpd in namespaces', TOOLS, () => {
  let lab: RouterLab;

  beforeAll(async () => {
    lab = new RouterLab('upnp');
    await lab.startMiniupnpd();
    // Mappings made by the household's own tools, from the LAN namespace.
    lab.upnpc(['-e', 'Plex Media Server', '-a', LAB.lanHost, '32400', '32400', 'TCP', '7200']);
    lab.upnpc(['-e', 'Transmission', '-a', LAB.lanHost, '51413', '51413', 'TCP']);
    // The lab's allow rule covers internal ports 1024-65535: 8080 (admin panels) is the admin case.
    lab.upnpc(['-e', 'nas admin', '-a', LAB.lanHost, '8080', '18080', 'TCP', '600']);
    lab.natpmpc(['-a', '40001', '40001', 'udp', '900']);
  });

  afterAll(() => {
    lab?.cleanup();
  });

  it('discovers the router by SSDP from the LAN namespace and reports every mapping in the findings', async () => {
    const out = await lab.runScript<CheckOutput>(lab.lan, PROBE, {
      op: 'check',
      env: { ROUTER_DISCOVERY: 'ssdp', ROUTER_DISCOVERY_TIMEOUT: '1s', NATPMP_GATEWAY: 'auto' },
      remoteAccess: false,
    });
    const upnp = byKey(out, 'upnp:enabled');
    expect(upnp).toMatchObject({ severity: 'low' });
    expect(upnp?.evidence).toContain(`answers UPnP at ${lab.descriptionUrl}`);
    expect(upnp?.evidence).toContain('found by SSDP');
    expect(upnp?.evidence).toContain(`External IP: ${LAB.externalIp}`);
    expect(upnp?.evidence).toContain(
      `NAT-PMP at ${LAB.router} answers with public address ${LAB.externalIp}.`,
    );
    expect(upnp?.evidence).toMatch(
      /TCP 32400 → 192\.168\.77\.10:32400 "Plex Media Server", temporary \(lease\)/,
    );
    // miniupnpd (IGD:2) turns lease 0 into its 7-day maximum: "no lease" is unit-tested on the fake.
    expect(upnp?.evidence).toMatch(/TCP 51413 → 192\.168\.77\.10:51413 "Transmission", temporary \(lease\)/);
    expect(upnp?.evidence).toMatch(/TCP 18080 → 192\.168\.77\.10:8080 "nas admin", temporary \(lease\)/);
    // natpmpc's mapping, with miniupnpd's own description for NAT-PMP entries.
    expect(upnp?.evidence).toMatch(
      /UDP 40001 → 192\.168\.77\.10:40001 "NAT-PMP 40001 udp", temporary \(lease\)/,
    );

    expect(byKey(out, 'mapping:TCP:32400')).toMatchObject({ severity: 'high' });
    expect(byKey(out, 'mapping:TCP:32400')?.evidence).toContain('Plex remote access is OFF');
    expect(byKey(out, 'mapping:TCP:18080')).toMatchObject({
      severity: 'high',
      title: expect.stringContaining('8080'),
    });
    expect(byKey(out, 'mapping:TCP:51413')).toBeUndefined();
    expect(byKey(out, 'walk:capped')).toBeUndefined();
  });

  it('NAT-PMP public address equals UPnP external IP; GetListOfPortMappings agrees with the generic walk', async () => {
    const facts = await lab.runScript<RouterFacts>(lab.lan, PROBE, {
      op: 'facts',
      env: { ROUTER_UPNP_URL: lab.descriptionUrl, NATPMP_GATEWAY: 'auto' },
    });
    expect(facts.upnpAvailable).toBe(true);
    expect(facts.externalIp).toBe(LAB.externalIp);
    expect(facts.natPmpGateway).toBe(LAB.router);
    expect(facts.natPmpExternalIp).toBe(facts.externalIp);
    expect(facts.walk?.method).toBe('GetListOfPortMappings');
    // The facts carry the exact remaining lease (the finding text only says temporary/permanent).
    const plexMapping = facts.mappings.find((m) => m.protocol === 'TCP' && m.externalPort === 32400);
    expect(plexMapping).toMatchObject({
      internalClient: LAB.lanHost,
      internalPort: 32400,
      description: 'Plex Media Server',
      enabled: true,
    });
    expect(plexMapping?.leaseSeconds).toBeGreaterThan(7000);
    expect(plexMapping?.leaseSeconds).toBeLessThanOrEqual(7200);
    const natPmpMapping = facts.mappings.find((m) => m.protocol === 'UDP' && m.externalPort === 40001);
    expect(natPmpMapping?.leaseSeconds).toBeGreaterThan(800);
    expect(natPmpMapping?.leaseSeconds).toBeLessThanOrEqual(900);

    const both = await lab.runScript<{
      generic: MappingWalk;
      list: MappingWalk;
      past: unknown;
      service: unknown;
    }>(lab.lan, PROBE, { op: 'both-walks', url: lab.descriptionUrl });
    expect(both.service).toMatchObject({ kind: 'WANIPConnection', version: 2 });
    expect(both.generic.stop).toBe('end');
    expect(both.past).toEqual({ errorCode: 713, status: 500 });
    const key = (m: {
      protocol: string;
      externalPort: number;
      internalClient: string;
      description: string;
    }) => `${m.protocol}:${m.externalPort}:${m.internalClient}:${m.description}`;
    expect(both.list.mappings.map(key).sort()).toEqual(both.generic.mappings.map(key).sort());
    expect(both.generic.mappings).toHaveLength(4);
  });

  it('handles 606 (port denied) and 718 (secure mode: another host) from AddPortMapping', async () => {
    const mapping = {
      remoteHost: '',
      protocol: 'TCP',
      internalClient: LAB.lanHost,
      description: 'x',
      leaseSeconds: 60,
    };
    expect(
      await lab.runScript(lab.lan, PROBE, {
        op: 'add',
        url: lab.descriptionUrl,
        mapping: { ...mapping, externalPort: 80, internalPort: 8080 },
      }),
    ).toMatchObject({ ok: false, errorCode: 606 });
    expect(
      await lab.runScript(lab.lan, PROBE, {
        op: 'add',
        url: lab.descriptionUrl,
        mapping: { ...mapping, externalPort: 41000, internalPort: 41000, internalClient: LAB.otherLanHost },
      }),
    ).toMatchObject({ ok: false, errorCode: 718 });
  });

  it('DeletePortMapping removes one mapping and a second walk confirms it', async () => {
    const out = await lab.runScript<{ before: MappingWalk; after: MappingWalk; secondDelete: unknown }>(
      lab.lan,
      PROBE,
      { op: 'delete-and-rewalk', url: lab.descriptionUrl, protocol: 'TCP', externalPort: 51413 },
    );
    const ports = (w: MappingWalk) => w.mappings.map((m) => `${m.protocol}:${m.externalPort}`).sort();
    expect(ports(out.before)).toContain('TCP:51413');
    expect(ports(out.after)).toEqual(ports(out.before).filter((p) => p !== 'TCP:51413'));
    expect(out.after.stop).toBe('end');
    // miniupnpd answers 200 for a missing mapping (not the spec's 714); either is fine.
    expect([{ errorCode: 714 }, 'ok']).toContainEqual(out.secondDelete);
    expect(lab.upnpc(['-l'])).not.toContain('51413');
  });

  it('a router with UPnP disabled gives the info finding; NAT-PMP still answering is reported', async () => {
    await lab.stopMiniupnpd();
    await lab.startMiniupnpd({ enableUpnp: false });
    try {
      const out = await lab.runScript<CheckOutput>(lab.lan, PROBE, {
        op: 'check',
        env: { ROUTER_DISCOVERY: 'ssdp', ROUTER_DISCOVERY_TIMEOUT: '500ms', NATPMP_GATEWAY: 'auto' },
        remoteAccess: true,
      });
      expect(byKey(out, 'upnp:none')).toMatchObject({ severity: 'info', title: 'No UPnP router answered' });
      expect(byKey(out, 'upnp:enabled')).toBeUndefined();
      expect(byKey(out, 'natpmp:enabled')).toMatchObject({ severity: 'low' });
      expect(byKey(out, 'natpmp:enabled')?.evidence).toContain(LAB.externalIp);
      expect(out.findings.every((f) => !f.title.toLowerCase().includes('could not run'))).toBe(true);
    } finally {
      await lab.stopMiniupnpd();
      await lab.startMiniupnpd();
    }
  });
});
