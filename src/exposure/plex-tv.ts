import { isObject, parseBool } from '../adapters/plex/plex-client.js';
import type { CheckContext } from '../checks/types.js';
import { getJson, OutsideError } from './outside-http.js';

/**
 * The newest public Plex Media Server version for a platform, from plex.tv's downloads feed
 * (`computer.<Platform>.version`, e.g. `1.43.2.10687-563d026ea`). Once per scan.
 */
export function latestPlexVersion(ctx: CheckContext, platform: string): Promise<string> {
  return ctx.shared.once(`plex-tv:downloads:${platform}`, async () => {
    const { outsideTimeoutMs } = ctx.config.exposure;
    const plexTvUrl = ctx.config.plex.tvUrl;
    const response = await getJson(`${plexTvUrl}/api/downloads/5.json`, {
      signal: ctx.signal,
      timeoutMs: outsideTimeoutMs,
      label: 'plex.tv downloads feed',
    });
    if (response.status !== 200 || !isObject(response.body)) {
      throw new OutsideError(`plex.tv downloads feed answered HTTP ${response.status}`, 'bad-response');
    }
    const computer = response.body.computer;
    const entry = isObject(computer) ? (computer[platform] ?? computer.Linux) : undefined;
    const version = isObject(entry) ? entry.version : undefined;
    if (typeof version !== 'string' || !/^\d+(\.\d+){3}/.test(version)) {
      throw new OutsideError('plex.tv downloads feed has no version for this platform', 'bad-response');
    }
    return version;
  });
}

export interface PublishedConnection {
  readonly uri: string;
  readonly protocol: string;
  readonly address: string;
  readonly port: number | undefined;
  readonly local: boolean;
  readonly relay: boolean;
}

/**
 * What plex.tv tells clients about this server (`/api/v2/resources`, account token): the
 * connections of the resource whose clientIdentifier is our machineIdentifier.
 * Undefined when our server is not in the list.
 */
export async function publishedConnections(
  ctx: CheckContext,
  machineIdentifier: string,
): Promise<PublishedConnection[] | undefined> {
  const { outsideTimeoutMs } = ctx.config.exposure;
  const plexTvUrl = ctx.config.plex.tvUrl;
  const response = await getJson(`${plexTvUrl}/api/v2/resources?includeHttps=1&includeRelay=1`, {
    signal: ctx.signal,
    timeoutMs: outsideTimeoutMs,
    headers: ctx.plex.plexTvHeaders(),
    label: 'plex.tv resources',
  });
  if (response.status === 401 || response.status === 498) {
    throw new OutsideError(
      `plex.tv resources answered ${response.status}: token not accepted`,
      'bad-response',
    );
  }
  if (response.status !== 200 || !Array.isArray(response.body)) {
    throw new OutsideError(`plex.tv resources answered HTTP ${response.status}`, 'bad-response');
  }
  const ours = response.body.find((r) => isObject(r) && r.clientIdentifier === machineIdentifier);
  if (!isObject(ours)) return undefined;
  const connections = Array.isArray(ours.connections) ? ours.connections.filter(isObject) : [];
  return connections.map((c) => ({
    uri: typeof c.uri === 'string' ? c.uri : '',
    protocol: typeof c.protocol === 'string' ? c.protocol : '',
    address: typeof c.address === 'string' ? c.address : '',
    port: typeof c.port === 'number' ? c.port : undefined,
    local: parseBool(c.local) ?? false,
    relay: parseBool(c.relay) ?? false,
  }));
}
