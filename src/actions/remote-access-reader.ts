/**
 * What Plex and the router say about remote access, read and put in lines: the preference and
 * the relay (Plex /:/prefs), the mapping state (/myplex/account), and the UPnP mappings that
 * forward to Plex. RemoteAccessService switches; this only reads (and sets the one preference).
 */

import { isObject, type PlexClient, PlexError, parseBool } from '../adapters/plex/plex-client.js';
import type { MappingWalk, PortMapping } from '../adapters/router/igd-client.js';
import { type LocateResult, locateIgd, type RouterProbeOverrides } from '../adapters/router/igd-locator.js';
import { isPlexMapping, type PlexTarget, readPlexTarget } from '../adapters/router/plex-target.js';
import { RouterHttp } from '../adapters/router/soap-client.js';
import type { RouterConfig } from '../config/router.js';

export const PREF = 'PublishServerOnPlexOnlineKey';

export interface RemoteAccessReaderDeps {
  readonly plex: PlexClient;
  readonly router: RouterConfig;
  /** Test seam for SSDP/NAT-PMP targets; never set in production. */
  readonly routerOverrides?: RouterProbeOverrides | undefined;
}

export interface PlexPrefs {
  readonly enabled: boolean | undefined;
  readonly relay: boolean | undefined;
  readonly customConnections: string;
  readonly manualPort: number | undefined;
}

export interface RouterView {
  readonly located: LocateResult;
  readonly walk: MappingWalk | undefined;
  readonly plexMappings: readonly PortMapping[];
  readonly error: string | undefined;
}

export class RemoteAccessReader {
  constructor(private readonly deps: RemoteAccessReaderDeps) {}

  async setPref(on: boolean, signal?: AbortSignal): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.deps.plex.put(`/:/prefs?${PREF}=${on ? 1 : 0}`, { signal });
      return { ok: true };
    } catch (error) {
      if (signal?.aborted) throw error;
      // Only Plex's own failures are an answer; anything else goes on to the boundary.
      if (!(error instanceof PlexError)) throw error;
      return { ok: false, error: error.message };
    }
  }

  async readPrefs(signal?: AbortSignal): Promise<PlexPrefs> {
    try {
      const container = await this.deps.plex.get('/:/prefs', { signal });
      const settings = Array.isArray(container.Setting) ? container.Setting.filter(isObject) : [];
      const value = (id: string) => settings.find((s) => s.id === id)?.value;
      const manual = parseBool(value('ManualPortMappingMode'));
      const port = Number(value('ManualPortMappingPort'));
      const custom = value('customConnections');
      return {
        enabled: parseBool(value(PREF)),
        relay: parseBool(value('RelayEnabled')),
        customConnections: typeof custom === 'string' ? custom.trim() : '',
        manualPort: manual && Number.isInteger(port) ? port : undefined,
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { enabled: undefined, relay: undefined, customConnections: '', manualPort: undefined };
    }
  }

  async mappingStateLine(signal?: AbortSignal): Promise<string> {
    try {
      const account = await this.deps.plex.get('/myplex/account', { signal });
      const state = typeof account.mappingState === 'string' ? account.mappingState : 'unknown';
      const address =
        typeof account.publicAddress === 'string' && account.publicAddress
          ? account.publicAddress
          : undefined;
      const port = Number(account.publicPort) > 0 ? Number(account.publicPort) : undefined;
      const where = address ? ` (public ${address}${port ? `:${port}` : ''})` : '';
      const error =
        typeof account.mappingError === 'string' && account.mappingError
          ? `, error ${account.mappingError}`
          : '';
      return `Plex mapping state: ${state}${where}${error}.`;
    } catch (error) {
      if (signal?.aborted) throw error;
      return 'Plex mapping state: unreadable.';
    }
  }

  async target(signal?: AbortSignal): Promise<PlexTarget> {
    return readPlexTarget(this.deps.plex, signal);
  }

  newHttp(): RouterHttp {
    return new RouterHttp({ timeoutMs: this.deps.router.timeoutMs });
  }

  async readRouter(http: RouterHttp, target: PlexTarget, signal?: AbortSignal): Promise<RouterView> {
    const located = await locateIgd(this.deps.router, http, signal, this.deps.routerOverrides);
    if (!located.ok) return { located, walk: undefined, plexMappings: [], error: located.reason };
    const walk = await located.client.readMappings(
      { maxMappings: this.deps.router.maxMappings, timeBoundMs: this.deps.router.walkTimeoutMs },
      signal,
    );
    return {
      located,
      walk,
      plexMappings: walk.mappings.filter((m) => isPlexMapping(m, target)),
      error: walk.error,
    };
  }

  routerLines(view: RouterView, when: 'now' | 'after'): string[] {
    if (!view.located.ok) {
      return view.located.status === 'failed'
        ? [`Router: UPnP answered but could not be read (${view.error}); mappings not verified.`]
        : [`Router: no UPnP mappings checked (${view.error}). Check the router for manual forwards to Plex.`];
    }
    const partial = view.walk && view.walk.stop !== 'end' ? ' (mapping table read only in part)' : '';
    if (view.plexMappings.length === 0) {
      return [
        when === 'after'
          ? `Verified: no UPnP mapping to Plex remains on the router${partial}.`
          : `Router: no UPnP mapping to Plex${partial}.`,
      ];
    }
    const head = when === 'after' ? 'Still open on the router' : 'Router mappings to Plex';
    return [`${head}${partial}: ${view.plexMappings.map(describeMapping).join('; ')}.`];
  }

  stillOpenLines(prefs: PlexPrefs): string[] {
    const lines: string[] = [];
    if (prefs.relay !== false) {
      lines.push(
        prefs.relay === true
          ? 'Still open: Plex Relay is on (RelayEnabled=1): the server stays reachable through plex.tv even with ports closed.'
          : 'Unknown: Plex Relay state (RelayEnabled) could not be read.',
      );
    }
    if (prefs.customConnections !== '') {
      lines.push(`Still open: customConnections publishes ${prefs.customConnections} to plex.tv clients.`);
    }
    if (prefs.manualPort !== undefined) {
      lines.push(
        `Check: manual port mapping is configured (port ${prefs.manualPort}): a forward made by hand on the router is not removed by UPnP.`,
      );
    }
    return lines;
  }

  prefLine(enabled: boolean | undefined): string {
    if (enabled === undefined) return `Plex remote access: unknown (${PREF} could not be read).`;
    return `Plex remote access: ${enabled ? 'on' : 'off'} (${PREF}=${enabled ? 1 : 0}).`;
  }
}

export function describeMapping(m: PortMapping): string {
  const description = m.description ? ` "${m.description.slice(0, 60)}"` : '';
  return `${m.protocol} ${m.externalPort} → ${m.internalClient || '?'}:${m.internalPort}${description}`;
}
