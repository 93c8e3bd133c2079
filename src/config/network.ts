import { parseCidr, parseIp } from '../net/ip.js';
import type { EnvReader } from './reader.js';

export interface NetworkConfig {
  /** Addresses and networks never flagged and never blocked (besides those added with /allow). */
  readonly allowlist: readonly string[];
  /** The household LAN; traffic from here is "local". Defaults to the private ranges. */
  readonly lanCidrs: readonly string[];
  /** The home's public IP when known in advance; otherwise learned from Plex or the router. */
  readonly publicIp: string | undefined;
}

/** parseIp refuses 010.0.0.1 (octal to some tools, decimal to others): say so in the problem. */
const NO_ZEROS = ' (IPv4 without leading zeros: 010.0.0.1 is ambiguous, write 10.0.0.1)';

const DEFAULT_LAN = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'];

export function readNetworkConfig(r: EnvReader): NetworkConfig {
  const cidr = (s: string) => parseCidr(s) !== undefined;
  const normalize = (list: readonly string[]) => list.map((s) => parseCidr(s)?.text ?? s);
  return {
    allowlist: normalize(
      r.list('ALLOWLIST', {
        item: cidr,
        expected: `a comma-separated list of IP addresses or CIDRs${NO_ZEROS}`,
      }),
    ),
    lanCidrs: normalize(
      r.list('LAN_CIDRS', {
        item: cidr,
        default: DEFAULT_LAN,
        expected: `a comma-separated list of CIDRs${NO_ZEROS}`,
      }),
    ),
    publicIp: r.parse('PUBLIC_IP', `an IPv4 or IPv6 address${NO_ZEROS}`, {}, (raw) =>
      parseIp(raw)?.toString(),
    ),
  };
}
