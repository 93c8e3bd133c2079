import { NETWORK } from './keys/index.js';
import type { EnvReader } from './reader.js';

export interface NetworkConfig {
  /** Addresses and networks never flagged and never blocked (besides those added with /allow). */
  readonly allowlist: readonly string[];
  /** The household LAN; traffic from here is "local". Defaults to the private ranges. */
  readonly lanCidrs: readonly string[];
  /** The home's public IP when known in advance; otherwise learned from Plex or the router. */
  readonly publicIp: string | undefined;
  /** Reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly string[];
}

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readNetworkConfig(r: EnvReader): NetworkConfig {
  return r.fields(NETWORK);
}
