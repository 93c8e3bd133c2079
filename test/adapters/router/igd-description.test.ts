import { describe, expect, it } from 'vitest';
import { parsePortListing } from '../../../src/adapters/router/igd-client.js';
import { parseIgdDescription } from '../../../src/adapters/router/igd-description.js';
import { RouterError } from '../../../src/adapters/router/upnp-errors.js';

const wrap = (services: string, extra = '') =>
  `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${extra}<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><serviceList>${services}</serviceList></device></root>`;

describe('device description parsing', () => {
  it('prefers WANIPConnection:2 over :1 over WANPPPConnection and keeps the router spelling', () => {
    const xml = wrap(
      '<service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>/ppp</controlURL></service>' +
        '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ip1</controlURL></service>' +
        '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>/ip2</controlURL></service>',
    );
    const d = parseIgdDescription(xml, 'http://192.168.1.1:5000/desc.xml');
    expect(d.services.map((s) => s.controlUrl)).toEqual([
      'http://192.168.1.1:5000/ip2',
      'http://192.168.1.1:5000/ip1',
      'http://192.168.1.1:5000/ppp',
    ]);
  });

  it('ignores services without controlURL or with a non-http control URL', () => {
    const xml = wrap(
      '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType></service>' +
        '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>file:///etc/passwd</controlURL></service>',
    );
    expect(parseIgdDescription(xml, 'http://192.168.1.1/d.xml').services).toEqual([]);
  });

  it('keeps control URLs on the description host only, and ignores a URLBase elsewhere', () => {
    const ip = '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>';
    const xml = wrap(
      `${ip}<controlURL>http://192.168.1.99:80/ctl</controlURL></service>${ip}<controlURL>/ctl</controlURL></service>`,
      '<URLBase>http://10.0.0.5:5000/</URLBase>',
    );
    const d = parseIgdDescription(xml, 'http://192.168.1.1:5000/d.xml');
    expect(d.services.map((s) => s.controlUrl)).toEqual(['http://192.168.1.1:5000/ctl']);
    expect(d.refusedServices).toBe(1);
  });

  it('survives an entity-expansion bomb quickly (error or bounded result)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><root><device><friendlyName>&lol9;</friendlyName></device></root>`;
    const t0 = performance.now();
    let name: string | undefined;
    try {
      name = parseIgdDescription(bomb, 'http://192.168.1.1/d.xml').friendlyName;
    } catch (error) {
      expect(error).toBeInstanceOf(RouterError);
    }
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect((name ?? '').length).toBeLessThan(100_000);
  });

  it('rejects documents that are not a device description', () => {
    expect(() => parseIgdDescription('<html><body>login</body></html>', 'http://x/')).toThrow(
      /no <root><device>/,
    );
    expect(() => parseIgdDescription('', 'http://x/')).toThrow(RouterError);
  });

  it('reads an escaped (not CDATA) port listing too', () => {
    const listing =
      '<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection"><p:PortMappingEntry><p:NewExternalPort>8080</p:NewExternalPort><p:NewProtocol>TCP</p:NewProtocol><p:NewInternalPort>80</p:NewInternalPort><p:NewInternalClient>192.168.1.4</p:NewInternalClient><p:NewDescription>cam &amp; co</p:NewDescription><p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry></p:PortMappingList>';
    expect(parsePortListing(listing).mappings).toEqual([
      expect.objectContaining({
        externalPort: 8080,
        internalPort: 80,
        description: 'cam & co',
        leaseSeconds: 0,
      }),
    ]);
  });
});
