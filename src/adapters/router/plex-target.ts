import { networkInterfaces } from 'node:os';
import { parseIp } from '../../net/ip.js';
import type { PlexClient } from '../plex/plex-client.js';
import { isObject, parseBool } from '../plex/plex-client.js';
import type { PortMapping } from './igd-client.js';

/** Where Plex listens on the LAN and which public port Plex believes it has. */
export interface PlexTarget {
  /** Ports Plex listens on: 32400, PLEX_URL's port (unless 80/443: a proxy), myplex privatePort. */
  readonly ports: readonly number[];
  /** LAN addresses of the Plex host; empty when unknown (then any host counts). */
  readonly hosts: readonly string[];
  /** Public ports Plex reported (myplex publicPort, manual or last automatic mapping). */
  readonly publicPorts: readonly number[];
  /** PublishServerOnPlexOnlineKey; undefined when it could not be read. */
  readonly remoteAccessEnabled: boolean | undefined;
}

/**
 * The Plex host is PLEX_URL's address, or this machine's own addresses when PLEX_URL is
 * loopback (the bot runs beside Plex), plus the private address Plex reports to plex.tv.
 */
export async function readPlexTarget(
  plex: PlexClient,
  signal?: AbortSignal,
  localAddresses: () => string[] = ownIpv4Addresses,
): Promise<PlexTarget> {
  const url = new URL(plex.baseUrl);
  const ports = new Set<number>([32400]);
  if (url.port && url.port !== '80' && url.port !== '443') ports.add(Number(url.port));
  const hosts = new Set<string>();
  const urlHost = parseIp(url.hostname);
  if (urlHost && urlHost.range() !== 'loopback') hosts.add(urlHost.toString());
  if (!urlHost || urlHost.range() === 'loopback') for (const a of localAddresses()) hosts.add(a);
  const publicPorts = new Set<number>();
  let remoteAccessEnabled: boolean | undefined;
  if (plex.hasToken) {
    try {
      const prefs = await plex.get('/:/prefs', { signal });
      const settings = Array.isArray(prefs.Setting) ? prefs.Setting.filter(isObject) : [];
      const value = (id: string) => settings.find((s) => s.id === id)?.value;
      remoteAccessEnabled = parseBool(value('PublishServerOnPlexOnlineKey'));
      if (parseBool(value('ManualPortMappingMode'))) addPort(publicPorts, value('ManualPortMappingPort'));
      addPort(publicPorts, value('LastAutomaticMappedPort'));
    } catch {
      // Unknown state: the caller treats it as "remote access may be on".
    }
    try {
      const account = await plex.get('/myplex/account', { signal });
      addPort(publicPorts, account.publicPort);
      addPort(ports, account.privatePort);
      const privateAddress =
        typeof account.privateAddress === 'string' ? parseIp(account.privateAddress) : undefined;
      if (privateAddress && privateAddress.range() !== 'loopback') hosts.add(privateAddress.toString());
    } catch {
      // Optional detail.
    }
  }
  return { ports: [...ports], hosts: [...hosts], publicPorts: [...publicPorts], remoteAccessEnabled };
}

function addPort(set: Set<number>, value: unknown): void {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 65535) set.add(n);
}

function ownIpv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

/**
 * A mapping that forwards to Plex: TCP to the Plex port on the Plex host (any host when the
 * host is unknown), or Plex's reported public port forwarded to the Plex port.
 */
export function isPlexMapping(mapping: PortMapping, target: PlexTarget): boolean {
  if (mapping.protocol !== 'TCP') return false;
  const hostMatches = target.hosts.length === 0 || target.hosts.includes(mapping.internalClient);
  if (!target.ports.includes(mapping.internalPort)) return false;
  return hostMatches || target.publicPorts.includes(mapping.externalPort);
}
