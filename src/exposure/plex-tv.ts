import { isObject, parseBool } from '../adapters/plex/plex-client.js';
import type { CheckContext } from '../checks/types.js';
import { getJson, OutsideError } from './outside-http.js';

/**
 * The downloads feed names a platform differently from `GET /`'s `platform` in one known case;
 * everything else uses the same key, under `computer` (Windows, Linux, FreeBSD, ...) or `nas`
 * (Synology, QNAP, ...). Mapping and lookup order as Tautulli does it: plexpy/common.py
 * `PMS_PLATFORM_NAME_OVERRIDES = {'MacOSX': 'Mac'}`, plexpy/plextv.py `get_plex_updates`
 * (`computer.get(platform) or nas.get(platform)`). NAS keys: martinorob/plexupdate plexupdate.sh
 * reads `.nas.Synology.version`.
 */
const FEED_PLATFORM_KEYS: Readonly<Record<string, string>> = { MacOSX: 'Mac' };

/** The platform has no entry in the feed: said, never guessed as Linux. */
export class UnknownFeedPlatformError extends OutsideError {
  constructor(readonly platform: string) {
    super(`plex.tv's downloads feed has no entry for platform "${platform.slice(0, 40)}"`, 'bad-response');
  }
}

/** The feed key `GET /`'s platform is listed under. */
export function feedPlatformKey(platform: string): string {
  return FEED_PLATFORM_KEYS[platform] ?? platform;
}

/**
 * The newest public Plex Media Server version for a platform, from plex.tv's downloads feed
 * (`computer.<Key>.version` or `nas.<Key>.version`, e.g. `1.43.2.10687-563d026ea`). Once per scan.
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
    const key = feedPlatformKey(platform);
    const { computer, nas } = response.body;
    const entry = (isObject(computer) ? computer[key] : undefined) ?? (isObject(nas) ? nas[key] : undefined);
    if (!isObject(entry)) throw new UnknownFeedPlatformError(platform);
    const version = entry.version;
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
