import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { parseIp } from '../../net/ip.js';

/**
 * `192-168-1-10.<32 hex>.plex.direct` names carry their address. Many home routers block DNS
 * answers that point at private addresses ("DNS rebinding protection"), which breaks https to
 * a LAN server with Plex's own certificate; decoding the name locally avoids DNS entirely.
 */
export function plexDirectAddress(hostname: string): string | undefined {
  const match = /^([0-9a-f-]+)\.[0-9a-f]{32}\.plex\.direct\.?$/i.exec(hostname);
  if (!match?.[1]) return undefined;
  const label = match[1];
  const v4 = label.replaceAll('-', '.');
  const asV4 = parseIp(v4);
  if (asV4?.kind() === 'ipv4' && /^\d+(\.\d+){3}$/.test(v4)) return asV4.toString();
  const asV6 = parseIp(label.replaceAll('-', ':'));
  return asV6?.kind() === 'ipv6' ? asV6.toString() : undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net/tls connect options: plex.direct names locally, everything else by DNS. */
export function plexDirectLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  const address = plexDirectAddress(hostname);
  if (address === undefined) {
    dnsLookup(
      hostname,
      { ...options, all: options.all === true } as LookupOptions & { all: boolean },
      (error: NodeJS.ErrnoException | null, result: string | LookupAddress[], family?: number) =>
        callback(error, result, family),
    );
    return;
  }
  const family = address.includes(':') ? 6 : 4;
  if (options.all) callback(null, [{ address, family }]);
  else callback(null, address, family);
}
