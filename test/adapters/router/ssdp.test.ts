import { afterEach, describe, expect, it } from 'vitest';
import { discoverGateways, isLanSource, parseSsdpAnswer } from '../../../src/adapters/router/ssdp.js';
import { FakeSsdpResponder, ssdpAnswer } from '../../harness/fake-igd.js';

const IGD1 = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';

describe('SSDP discovery (loopback responder only)', () => {
  const responders: FakeSsdpResponder[] = [];
  afterEach(async () => {
    await Promise.all(responders.splice(0).map((r) => r.stop()));
  });

  it('searches for IGD:1, IGD:2 and the WAN services, and keeps one answer per LOCATION', async () => {
    const responder = await new FakeSsdpResponder((st) => [
      ssdpAnswer('http://127.0.0.1:5000/rootDesc.xml', st),
    ]).start();
    responders.push(responder);
    const answers = await discoverGateways({
      timeoutMs: 300,
      target: { host: '127.0.0.1', port: responder.port },
    });
    expect(responder.searches).toEqual(
      expect.arrayContaining([
        IGD1,
        'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
        'urn:schemas-upnp-org:service:WANIPConnection:1',
        'urn:schemas-upnp-org:service:WANIPConnection:2',
      ]),
    );
    expect(answers).toEqual([
      expect.objectContaining({ location: 'http://127.0.0.1:5000/rootDesc.xml', from: '127.0.0.1' }),
    ]);
  });

  it('ignores forged or irrelevant answers: other ST, non-http LOCATION, not a 200', async () => {
    const responder = await new FakeSsdpResponder(() => [
      ssdpAnswer('http://127.0.0.1:1/x.xml', 'urn:schemas-upnp-org:device:MediaRenderer:1'),
      ssdpAnswer('file:///etc/passwd', IGD1),
      'HTTP/1.1 404 Not Found\r\nST: x\r\nLOCATION: http://127.0.0.1:2/\r\n\r\n',
      'garbage',
    ]).start();
    responders.push(responder);
    const answers = await discoverGateways({
      timeoutMs: 300,
      target: { host: '127.0.0.1', port: responder.port },
    });
    expect(answers).toEqual([]);
  });

  it('refuses an answer whose LOCATION is on another host than the sender', async () => {
    const responder = await new FakeSsdpResponder((st) => [
      ssdpAnswer('http://127.0.0.2:5000/rootDesc.xml', st),
      ssdpAnswer('http://router.example:5000/rootDesc.xml', st),
      ssdpAnswer('http://user:pw@127.0.0.1:5000/rootDesc.xml', st),
    ]).start();
    responders.push(responder);
    const answers = await discoverGateways({
      timeoutMs: 300,
      target: { host: '127.0.0.1', port: responder.port },
    });
    expect(answers).toEqual([]);
  });

  it('refuses answers from senders outside the LAN', async () => {
    const responder = await new FakeSsdpResponder((st) => [
      ssdpAnswer('http://127.0.0.1:5000/rootDesc.xml', st),
    ]).start();
    responders.push(responder);
    const answers = await discoverGateways({
      timeoutMs: 300,
      target: { host: '127.0.0.1', port: responder.port },
      isLan: () => false,
    });
    expect(answers).toEqual([]);
  });

  it('resolves empty after the timeout when nobody answers, and early on abort', async () => {
    const responder = await new FakeSsdpResponder(() => []).start();
    responders.push(responder);
    const t0 = performance.now();
    expect(
      await discoverGateways({ timeoutMs: 250, target: { host: '127.0.0.1', port: responder.port } }),
    ).toEqual([]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t1 = performance.now();
    await discoverGateways({
      timeoutMs: 5_000,
      target: { host: '127.0.0.1', port: responder.port },
      signal: controller.signal,
    });
    expect(performance.now() - t1).toBeLessThan(1_000);
  });

  it('rejects when the bind address is not local', async () => {
    await expect(
      discoverGateways({
        timeoutMs: 200,
        bindAddress: '192.0.2.123',
        target: { host: '127.0.0.1', port: 9 },
      }),
    ).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
  });

  it('parses header names case-insensitively', () => {
    expect(
      parseSsdpAnswer(
        `HTTP/1.1 200 OK\r\nst: ${IGD1}\r\nlocation: http://192.168.1.1:5000/d.xml\r\n\r\n`,
        '192.168.1.1',
      ),
    ).toMatchObject({ location: 'http://192.168.1.1:5000/d.xml', st: IGD1 });
  });
});

describe('SSDP answer trust rules', () => {
  it('accepts a LOCATION on the sender, also for IPv4-mapped senders; refuses any other host', () => {
    const text = (location: string) => `HTTP/1.1 200 OK\r\nST: ${IGD1}\r\nLOCATION: ${location}\r\n\r\n`;
    expect(parseSsdpAnswer(text('http://192.168.1.1:5000/d.xml'), '192.168.1.1')).toBeDefined();
    expect(parseSsdpAnswer(text('http://192.168.1.1:5000/d.xml'), '::ffff:192.168.1.1')).toBeDefined();
    expect(parseSsdpAnswer(text('http://192.168.1.2:5000/d.xml'), '192.168.1.1')).toBeUndefined();
    expect(parseSsdpAnswer(text('http://10.0.0.1/d.xml'), '192.168.1.1')).toBeUndefined();
    expect(parseSsdpAnswer(text('http://localhost:5000/d.xml'), '127.0.0.1')).toBeUndefined();
  });

  it('counts private, link-local, unique-local and loopback senders as the LAN, nothing else', () => {
    for (const lan of [
      '192.168.1.1',
      '10.0.0.1',
      '172.16.0.1',
      '169.254.1.1',
      'fd00::1',
      'fe80::1',
      '127.0.0.1',
    ])
      expect(isLanSource(lan), lan).toBe(true);
    for (const outside of ['198.51.100.1', '100.64.0.1', '8.8.8.8', '2001:db8::1', 'nonsense'])
      expect(isLanSource(outside), outside).toBe(false);
  });
});
