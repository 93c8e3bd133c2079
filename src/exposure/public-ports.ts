import type { CheckContext } from '../checks/types.js';
import { lookupInternetDb } from './internetdb.js';
import { resolvePublicIp } from './public-ip.js';
import { readRouterFacts } from './router-facts.js';

/** A service reachable from outside, as one source sees it. */
export interface PublicPort {
  /** The port on the public side. */
  readonly port: number;
  /** The LAN host:port it leads to, when the source knows (router mappings do, InternetDB does not). */
  readonly internal?: { readonly host: string; readonly port: number };
}

export interface PublicPortView {
  /** For evidence, e.g. "InternetDB (no crawl date) for 203.0.113.7". */
  readonly source: string;
  readonly ports: readonly PublicPort[];
}

/** One view of what is open from outside; undefined when this source has nothing to say. */
export interface PublicPortSource {
  readonly name: string;
  read(ctx: CheckContext): Promise<PublicPortView | undefined>;
}

const internetDb: PublicPortSource = {
  name: 'InternetDB',
  async read(ctx) {
    const found = await resolvePublicIp(ctx);
    if (!found) return undefined;
    const result = await lookupInternetDb(ctx, found.ip);
    if (result.kind !== 'indexed') return undefined;
    return {
      source: `InternetDB (no crawl date) for ${found.ip}`,
      ports: result.ports.map((port) => ({ port })),
    };
  },
};

const routerMappings: PublicPortSource = {
  name: 'router UPnP mappings',
  async read(ctx) {
    const facts = await readRouterFacts(ctx);
    if (!facts.upnpAvailable) return undefined;
    return {
      source: 'router UPnP mappings',
      ports: facts.mappings
        .filter((m) => m.enabled)
        .map((m) => ({ port: m.externalPort, internal: { host: m.internalClient, port: m.internalPort } })),
    };
  },
};

/** Every outside view exposed-services matches against: the public index and the router's mappings. */
export const publicPortSources: readonly PublicPortSource[] = [internetDb, routerMappings];
