import { ROUTER } from './keys/index.js';
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

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readRouterConfig(r: EnvReader): RouterConfig {
  return r.fields(ROUTER);
}
