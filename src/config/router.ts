import { parseIp } from '../net/ip.js';
import type { EnvReader } from './reader.js';

export interface RouterConfig {
  /** A device description URL (e.g. http://192.168.1.1:5000/rootDesc.xml); skips discovery. */
  readonly upnpUrl: string | undefined;
  /** `ssdp` sends an M-SEARCH to the LAN multicast group; `off` never does. */
  readonly discovery: 'ssdp' | 'off';
  /** How long to collect SSDP answers. */
  readonly discoveryTimeoutMs: number;
  /**
   * Local IPv4 address to send SSDP from (picks the interface on a multi-homed host);
   * undefined lets the OS choose by its routing table.
   */
  readonly ssdpBindAddress: string | undefined;
  /** `auto` = the default route's gateway, `off`, or an IPv4 address. */
  readonly natPmpGateway: 'auto' | 'off' | string;
  /** Upper bound on one HTTP/SOAP request and on one NAT-PMP exchange (with its retries). */
  readonly timeoutMs: number;
  /** Hard cap on the mappings read from the router; the rest is reported as "capped". */
  readonly maxMappings: number;
  /** Time bound for reading the whole mapping table. */
  readonly walkTimeoutMs: number;
}

export function readRouterConfig(r: EnvReader): RouterConfig {
  const ipv4 = (raw: string) => {
    const ip = parseIp(raw);
    return ip?.kind() === 'ipv4' ? ip.toString() : undefined;
  };
  return {
    upnpUrl: r.url('ROUTER_UPNP_URL'),
    discovery: r.oneOf('ROUTER_DISCOVERY', ['ssdp', 'off'] as const, { default: 'ssdp' }) ?? 'ssdp',
    discoveryTimeoutMs:
      r.duration('ROUTER_DISCOVERY_TIMEOUT', { default: 2_000, minMs: 100, maxMs: 30_000 }) ?? 2_000,
    ssdpBindAddress: r.parse('ROUTER_SSDP_BIND', 'a local IPv4 address of the LAN interface', {}, ipv4),
    natPmpGateway:
      r.parse('NATPMP_GATEWAY', 'auto, off or the gateway IPv4 address', { default: 'auto' }, (raw) => {
        const lower = raw.toLowerCase();
        if (lower === 'auto' || lower === 'off') return lower;
        return ipv4(raw);
      }) ?? 'auto',
    timeoutMs: r.duration('ROUTER_TIMEOUT', { default: 3_000, minMs: 100, maxMs: 60_000 }) ?? 3_000,
    maxMappings: r.int('UPNP_MAX_MAPPINGS', { default: 1_000, min: 1, max: 100_000 }) ?? 1_000,
    walkTimeoutMs: r.duration('UPNP_WALK_TIMEOUT', { default: 6_000, minMs: 100, maxMs: 600_000 }) ?? 6_000,
  };
}
