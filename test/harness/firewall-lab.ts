import type { NetnsLab } from './netns-lab.js';

/**
 * A router namespace between two "internet" sources and a LAN host, for firewall tests:
 *
 *   atk  203.0.113.7/24, 2001:db8:a::7/64  ── wana 203.0.113.1, 2001:db8:a::1 ┐
 *                                            router (forwarding on; HTTP on :8080)
 *   good 198.51.100.20/24, 2001:db8:b::20/64 ── wanb 198.51.100.1, 2001:db8:b::1 ┤
 *                 └ lan0 192.0.2.1, 2001:db8:c::1 ── lanhost 192.0.2.10, 2001:db8:c::10 (HTTP on :8080)
 *
 * Connections to the router's own address take the input path; connections to lanhost are
 * forwarded by the router — like a Docker-published port. Everything lives in namespaces the
 * lab deletes.
 */
export interface FirewallLab {
  readonly router: string;
  readonly atk: string;
  readonly good: string;
  readonly lanhost: string;
  /** The router's own HTTP server (input path) and the LAN host's (forward path). */
  readonly inputUrl: string;
  readonly forwardUrl: string;
  /** The same two servers over IPv6. */
  readonly inputUrl6: string;
  readonly forwardUrl6: string;
  /** The HTTP status code, or 'blocked' when the connection failed or timed out. */
  status(ns: string, url: string): string;
}

// '::' is dual-stack: the same server answers IPv4 and IPv6.
const SERVER = "require('node:http').createServer((req, res) => res.end('ok')).listen(8080, '::');";

export async function buildFirewallLab(lab: NetnsLab): Promise<FirewallLab> {
  const router = lab.namespace('router');
  const atk = lab.namespace('atk');
  const good = lab.namespace('good');
  const lanhost = lab.namespace('lan');
  lab.link(
    { ns: atk, ifname: 'eth0', cidr: '203.0.113.7/24' },
    { ns: router, ifname: 'wana', cidr: '203.0.113.1/24' },
  );
  lab.link(
    { ns: good, ifname: 'eth0', cidr: '198.51.100.20/24' },
    { ns: router, ifname: 'wanb', cidr: '198.51.100.1/24' },
  );
  lab.link(
    { ns: lanhost, ifname: 'eth0', cidr: '192.0.2.10/24' },
    { ns: router, ifname: 'lan0', cidr: '192.0.2.1/24' },
  );
  lab.ip(atk, ['route', 'add', 'default', 'via', '203.0.113.1']);
  lab.ip(good, ['route', 'add', 'default', 'via', '198.51.100.1']);
  lab.ip(lanhost, ['route', 'add', 'default', 'via', '192.0.2.1']);
  // IPv6 twins; `nodad` so the addresses are usable at once.
  const v6 = (ns: string, dev: string, cidr: string) =>
    lab.ip(ns, ['addr', 'add', cidr, 'dev', dev, 'nodad']);
  v6(atk, 'eth0', '2001:db8:a::7/64');
  v6(router, 'wana', '2001:db8:a::1/64');
  v6(good, 'eth0', '2001:db8:b::20/64');
  v6(router, 'wanb', '2001:db8:b::1/64');
  v6(lanhost, 'eth0', '2001:db8:c::10/64');
  v6(router, 'lan0', '2001:db8:c::1/64');
  lab.ip(atk, ['-6', 'route', 'add', 'default', 'via', '2001:db8:a::1']);
  lab.ip(good, ['-6', 'route', 'add', 'default', 'via', '2001:db8:b::1']);
  lab.ip(lanhost, ['-6', 'route', 'add', 'default', 'via', '2001:db8:c::1']);
  lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  lab.exec(router, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
  lab.spawn(router, process.execPath, ['-e', SERVER]);
  lab.spawn(lanhost, process.execPath, ['-e', SERVER]);
  const status = (ns: string, url: string): string => lab.httpStatus(ns, url);
  const inputUrl = 'http://203.0.113.1:8080/';
  const forwardUrl = 'http://192.0.2.10:8080/';
  const inputUrl6 = 'http://[2001:db8:a::1]:8080/';
  const forwardUrl6 = 'http://[2001:db8:c::10]:8080/';
  for (const url of [inputUrl, forwardUrl, inputUrl6, forwardUrl6]) {
    for (let i = 0; status(good, url) !== '200'; i++) {
      if (i > 50) throw new Error(`server at ${url} never answered`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { router, atk, good, lanhost, inputUrl, forwardUrl, inputUrl6, forwardUrl6, status };
}
