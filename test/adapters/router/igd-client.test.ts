import { afterEach, describe, expect, it } from 'vitest';
import { IgdClient } from '../../../src/adapters/router/igd-client.js';
import { RouterHttp } from '../../../src/adapters/router/soap-client.js';
import { RouterError, UpnpFaultError } from '../../../src/adapters/router/upnp-errors.js';
import { FakeIgd, type FakeIgdOptions, type FakeMapping } from '../../harness/fake-igd.js';

const MAPPINGS: FakeMapping[] = [
  {
    externalPort: 32400,
    protocol: 'TCP',
    internalPort: 32400,
    internalClient: '192.168.1.10',
    description: 'Plex Media Server',
    lease: 3600,
  },
  {
    externalPort: 1900,
    protocol: 'UDP',
    internalPort: 1900,
    internalClient: '192.168.1.10',
    description: '',
    lease: 0,
  },
  {
    externalPort: 51413,
    protocol: 'TCP',
    internalPort: 51413,
    internalClient: '192.168.1.50',
    description: 'Transmission',
    lease: 0,
  },
];

const LIMITS = { maxMappings: 1000, timeBoundMs: 5_000 };

describe('IgdClient against a fake IGD', () => {
  const started: FakeIgd[] = [];
  const https: RouterHttp[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.stop()));
    await Promise.all(https.splice(0).map((h) => h.close()));
  });

  const setup = async (options: FakeIgdOptions, timeoutMs = 2_000, maxBodyBytes?: number) => {
    const fake = await new FakeIgd(options).start();
    started.push(fake);
    const http = new RouterHttp({ timeoutMs, maxBodyBytes });
    https.push(http);
    return { fake, http };
  };

  it('IGD:2 with WANIPConnection:2: external IP, generic walk to fault 713, and GetListOfPortMappings agree', async () => {
    const { fake, http } = await setup({ flavor: 'igd2', mappings: MAPPINGS, externalIp: '203.0.113.7' });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    expect(client.service).toMatchObject({ kind: 'WANIPConnection', version: 2 });
    expect(client.service.controlUrl).toBe(`http://127.0.0.1:${fake.port}/ctl/IPConn`);
    expect(client.description.friendlyName).toBe('Fake Router');
    expect(await client.externalIp()).toBe('203.0.113.7');

    const walk = await client.walkGeneric(LIMITS);
    expect(walk.stop).toBe('end');
    expect(walk.mappings).toEqual([
      {
        remoteHost: '',
        externalPort: 32400,
        protocol: 'TCP',
        internalPort: 32400,
        internalClient: '192.168.1.10',
        enabled: true,
        description: 'Plex Media Server',
        leaseSeconds: 3600,
      },
      expect.objectContaining({ externalPort: 1900, protocol: 'UDP', leaseSeconds: 0, description: '' }),
      expect.objectContaining({ externalPort: 51413, internalClient: '192.168.1.50' }),
    ]);
    // Index 3 was the one answered with 713 (a fault without <?xml?> prologue).
    expect(fake.requests.filter((r) => r.action === 'GetGenericPortMappingEntry')).toHaveLength(4);
    expect(fake.requests.at(-1)?.soapAction).toBe(
      '"urn:schemas-upnp-org:service:WANIPConnection:2#GetGenericPortMappingEntry"',
    );

    const listed = await client.readMappings(LIMITS);
    expect(listed.method).toBe('GetListOfPortMappings');
    expect(listed.stop).toBe('end');
    const key = (m: { protocol: string; externalPort: number }) => `${m.protocol}:${m.externalPort}`;
    expect(listed.mappings.map(key).sort()).toEqual(walk.mappings.map(key).sort());
    expect(listed.mappings.find((m) => m.externalPort === 32400)).toEqual(walk.mappings[0]);
  });

  it('IGD:1-only device: WANIPConnection:1, generic walk, :1 in SOAPAction', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', mappings: MAPPINGS });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    expect(client.service.serviceType).toBe('urn:schemas-upnp-org:service:WANIPConnection:1');
    expect(client.supportsListOfPortMappings).toBe(false);
    const walk = await client.readMappings(LIMITS);
    expect(walk.method).toBe('GetGenericPortMappingEntry');
    expect(walk.mappings).toHaveLength(3);
    expect(fake.requests.every((r) => r.soapAction?.includes('WANIPConnection:1#'))).toBe(true);
    expect(fake.requests.some((r) => r.action === 'GetListOfPortMappings')).toBe(false);
  });

  it('WANPPPConnection:1 (DSL routers) is used when no IP connection exists', async () => {
    const { fake, http } = await setup({ flavor: 'ppp', mappings: MAPPINGS, externalIp: '198.51.100.4' });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    expect(client.service).toMatchObject({ kind: 'WANPPPConnection', version: 1 });
    expect(await client.externalIp()).toBe('198.51.100.4');
    expect((await client.readMappings(LIMITS)).mappings).toHaveLength(3);
    expect(fake.requests[0]?.soapAction).toContain('WANPPPConnection:1#GetExternalIPAddress');
  });

  it('odd casing, namespace prefixes, entities and a deeply nested service', async () => {
    const { fake, http } = await setup({ flavor: 'odd-casing', mappings: MAPPINGS });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    expect(client.description.friendlyName).toBe('ODD & Router');
    expect(client.service.serviceType).toBe('urn:schemas-upnp-org:service:WANIPConnection:1');
    expect(await client.externalIp()).toBe('203.0.113.9');
    expect((await client.walkGeneric(LIMITS)).mappings).toHaveLength(3);
  });

  it('resolves a relative controlURL against URLBase', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', urlBase: true });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    expect(client.service.controlUrl).toBe(`http://127.0.0.1:${fake.port}/ctl/IPConn`);
    expect(await client.externalIp()).toBe('203.0.113.9');
  });

  it('a description without a WAN connection service is refused clearly', async () => {
    const { fake, http } = await setup({ flavor: 'no-wan-service' });
    await expect(IgdClient.connect(fake.descriptionUrl, http)).rejects.toThrow(
      /offers no WANIPConnection or WANPPPConnection/,
    );
  });

  it('missing fields: defaults where safe, entries without protocol or port counted as malformed', async () => {
    const { fake, http } = await setup({
      flavor: 'igd1',
      mappings: [
        { externalPort: 8080, protocol: 'tcp' },
        { externalPort: 'abc', protocol: 'TCP', internalClient: '192.168.1.2' },
        { externalPort: 9000, protocol: '', internalClient: '192.168.1.2' },
        { externalPort: 70000, protocol: 'UDP' },
      ],
    });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const walk = await client.walkGeneric(LIMITS);
    expect(walk.stop).toBe('end');
    expect(walk.malformed).toBe(3);
    expect(walk.mappings).toEqual([
      {
        remoteHost: '',
        externalPort: 8080,
        protocol: 'TCP',
        internalPort: 8080,
        internalClient: '',
        enabled: true,
        description: '',
        leaseSeconds: 0,
      },
    ]);
  });

  it('a 10,000-entry table is capped at UPNP_MAX_MAPPINGS and reported as such', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', tableSize: 10_000 });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const walk = await client.walkGeneric({ maxMappings: 500, timeBoundMs: 20_000 });
    expect(walk.stop).toBe('cap');
    expect(walk.mappings).toHaveLength(500);
    // Never asked past the cap.
    expect(fake.requests.filter((r) => r.action === 'GetGenericPortMappingEntry')).toHaveLength(500);
  });

  it('the walk stops at its time bound and says so', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', tableSize: 10_000, delayMs: 20 });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const t0 = performance.now();
    const walk = await client.walkGeneric({ maxMappings: 10_000, timeBoundMs: 300 });
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(walk.stop).toBe('time');
    expect(walk.mappings.length).toBeGreaterThan(0);
    expect(walk.mappings.length).toBeLessThan(100);
  });

  it.each([402, 'bare-500'] as const)('end of table signalled as %s is understood', async (endOfTable) => {
    const { fake, http } = await setup({ flavor: 'igd1', mappings: MAPPINGS, endOfTable });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const walk = await client.walkGeneric(LIMITS);
    expect(walk.stop).toBe('end');
    expect(walk.mappings).toHaveLength(3);
  });

  it('a bare HTTP 500 on the very first entry is an error, not an empty table', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', endOfTable: 'bare-500' });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const walk = await client.walkGeneric(LIMITS);
    expect(walk.stop).toBe('error');
    expect(walk.error).toMatch(/HTTP 500/);
  });

  it('a hanging router times out within ROUTER_TIMEOUT', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', hang: new Set(['GetExternalIPAddress']) }, 300);
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const t0 = performance.now();
    const error = await client.externalIp().catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(error).toBeInstanceOf(RouterError);
    expect(error).toMatchObject({ kind: 'timeout' });

    const hanging = await setup({ flavor: 'igd1', hang: new Set(['description']) }, 300);
    await expect(IgdClient.connect(hanging.fake.descriptionUrl, hanging.http)).rejects.toMatchObject({
      kind: 'timeout',
    });
  });

  it('garbage XML is a malformed error, not a crash', async () => {
    const { fake, http } = await setup({ flavor: 'igd1', garbage: new Set(['description']) });
    await expect(IgdClient.connect(fake.descriptionUrl, http)).rejects.toMatchObject({
      kind: 'malformed',
    });
    const soap = await setup({ flavor: 'igd1', garbage: new Set(['GetExternalIPAddress']) });
    const client = await IgdClient.connect(soap.fake.descriptionUrl, soap.http);
    await expect(client.externalIp()).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('caps the body size', async () => {
    const { fake, http } = await setup({ flavor: 'igd2' }, 2_000, 200);
    await expect(IgdClient.connect(fake.descriptionUrl, http)).rejects.toThrow(
      /answered more than 200 bytes/,
    );
  });

  it('SOAP faults carry the UPnP error code; arguments are XML-escaped', async () => {
    const { fake, http } = await setup({ flavor: 'igd2' });
    const client = await IgdClient.connect(fake.descriptionUrl, http);
    const refused = await client
      .addMapping({
        remoteHost: '',
        externalPort: 80,
        protocol: 'TCP',
        internalPort: 80,
        internalClient: '192.168.1.2',
        description: 'x',
        leaseSeconds: 0,
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpnpFaultError);
    expect(refused).toMatchObject({ errorCode: 606, status: 500, action: 'AddPortMapping' });

    const nasty = `</NewPortMappingDescription><x>&"'`;
    await client.addMapping({
      remoteHost: '',
      externalPort: 4000,
      protocol: 'TCP',
      internalPort: 4000,
      internalClient: '192.168.1.2',
      description: nasty,
      leaseSeconds: 60,
    });
    const body = fake.requests.at(-1)?.body ?? '';
    expect(body).not.toContain('<x>');
    expect(fake.mappings[0]?.description).toBe(nasty);
    expect((await client.walkGeneric(LIMITS)).mappings[0]?.description).toBe(nasty);

    await client.deleteMapping({ remoteHost: '', externalPort: 4000, protocol: 'TCP' });
    expect(fake.mappings).toHaveLength(0);
    await expect(
      client.deleteMapping({ remoteHost: '', externalPort: 4000, protocol: 'TCP' }),
    ).rejects.toMatchObject({ errorCode: 714 });
  });
});
