import { parseIp } from '../../net/ip.js';
import { kinds as k } from '../key.js';
import { section } from '../section.js';

/** parseIp refuses 010.0.0.1 (octal to some tools, decimal to others): say so in the problem. */
const NO_ZEROS = ' (IPv4 without leading zeros: 010.0.0.1 is ambiguous, write 10.0.0.1)';

export const NETWORK = section('network', 'Network', {
  ALLOWLIST: k.cidrList({
    field: 'allowlist',
    default: '',
    expected: `a comma-separated list of IP addresses or CIDRs${NO_ZEROS}`,
    description: 'Addresses/networks never flagged and never blocked (IPs or CIDRs, comma-separated).',
  }),
  LAN_CIDRS: k.cidrList({
    field: 'lanCidrs',
    default: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7,fe80::/10',
    expected: `a comma-separated list of CIDRs${NO_ZEROS}`,
    description: 'Your home LAN ranges; requests from here count as local. Default: the private ranges.',
  }),
  TRUSTED_PROXIES: k.cidrList({
    field: 'trustedProxies',
    default: '',
    expected: `a comma-separated list of IP addresses or CIDRs${NO_ZEROS}`,
    description:
      'Reverse proxies in front of Plex or a web server (IPs or CIDRs). From these only, the client is\nthe right-most untrusted address of X-Forwarded-For (Plex log, Traefik JSON); from others it is ignored.',
  }),
  PUBLIC_IP: k.custom((raw) => parseIp(raw)?.toString(), {
    field: 'publicIp',
    kind: 'ip',
    expected: () => `an IPv4 or IPv6 address${NO_ZEROS}`,
    description: 'Your public IP if you know it (otherwise learned from Plex or the router).',
  }),
});
