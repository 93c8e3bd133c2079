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

export function readNetworkConfig(r: EnvReader): NetworkConfig {
  const k = NETWORK.keys;
  return {
    allowlist: r.value(k.ALLOWLIST),
    lanCidrs: r.value(k.LAN_CIDRS),
    publicIp: r.value(k.PUBLIC_IP),
    trustedProxies: r.value(k.TRUSTED_PROXIES),
  };
}
