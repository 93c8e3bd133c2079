import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exposedServices } from '../../src/checks/exposed-services.js';
import { publicFootprint } from '../../src/checks/public-footprint.js';
import { routerUpnp } from '../../src/checks/router-upnp.js';
import { isRiskyPort, lookupPort, PORT_CATALOGUE } from '../../src/exposure/port-catalogue.js';
import { ExposureLab } from '../harness/exposure-lab.js';
import { FakeIgd } from '../harness/fake-igd.js';

describe('the port catalogue', () => {
  it('has one entry per port and protocol, each with a class', () => {
    const keys = PORT_CATALOGUE.map((p) => `${p.port}/${p.protocol}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of PORT_CATALOGUE)
      expect(['plex', 'lan-only', 'admin', 'service']).toContain(entry.class);
    expect(lookupPort(32400)?.class).toBe('plex');
    expect(isRiskyPort(lookupPort(32400))).toBe(false);
  });

  it('matches the protocol when the source knows it, any protocol when it does not', () => {
    expect(lookupPort(1900, 'UDP')?.class).toBe('lan-only');
    expect(lookupPort(1900, 'TCP')).toBeUndefined();
    expect(lookupPort(1900)?.class).toBe('lan-only');
    expect(lookupPort(3389, 'UDP')?.class).toBe('admin');
    expect(lookupPort(32411, 'UDP')).toBeUndefined(); // not a GDM port (Plex lists 32410, 32412-32414)
  });
});

describe('router-upnp, public-footprint and exposed-services rate ports from the one catalogue', () => {
  let lab: ExposureLab;
  let igd: FakeIgd;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    igd = await new FakeIgd({
      mappings: [9091, 2375].map((port) => ({
        externalPort: port,
        protocol: 'TCP',
        internalPort: port,
        internalClient: '192.168.1.40',
        description: `app ${port}`,
        lease: 3600,
      })),
    }).start();
  });
  afterEach(async () => {
    await igd.stop();
    await lab.stop();
  });

  it('9091 (Transmission) and 2375 (Docker) are high whether UPnP maps them or InternetDB lists them', async () => {
    lab.internetDb.answers.set('203.0.113.7', { ports: [2375, 9091] });
    const result = await lab.scan([routerUpnp, publicFootprint, exposedServices], {
      PUBLIC_IP: '203.0.113.7',
      ROUTER_UPNP_URL: igd.descriptionUrl,
      NATPMP_GATEWAY: 'off',
      // Probed on loopback only; what matters here is how the port is named.
      EXPOSED_SERVICES: 'torrents=127.0.0.1:9091',
    });
    const byFingerprint = (fp: string) => result.findings.find((f) => f.fingerprint === fp);
    expect(byFingerprint('router-upnp:mapping:TCP:9091')).toMatchObject({
      severity: 'high',
      title: expect.stringContaining('Transmission'),
    });
    expect(byFingerprint('router-upnp:mapping:TCP:2375')).toMatchObject({
      severity: 'high',
      title: expect.stringContaining('Docker API'),
    });
    const footprint = byFingerprint('public-footprint:open-ports');
    expect(footprint).toMatchObject({ severity: 'high' });
    expect(footprint?.evidence).toContain('2375 (Docker API (unauthenticated)), 9091 (Transmission)');
    expect(footprint?.fix).toContain('2375, 9091');
    expect(byFingerprint('exposed-services:exposed:torrents')?.evidence).toContain(
      'port 9091 (Transmission) is open from outside',
    );
  });
});
