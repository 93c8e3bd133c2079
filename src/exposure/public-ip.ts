import type { CheckContext } from '../checks/types.js';
import { normalizeIp } from '../net/ip.js';
import { isInternetAddress } from '../net/special-ranges.js';
import { plexAvailability } from './plex-availability.js';
import { readMyPlexAccount } from './plex-resources.js';
import { readRouterFacts, routerPublicIp } from './router-facts.js';

/** One way of learning the home's public address; undefined when this source does not know. */
export interface PublicIpSource {
  readonly name: string;
  read(ctx: CheckContext): Promise<string | undefined>;
}

export interface PublicIp {
  readonly ip: string;
  /** Which source said so, for evidence ("PUBLIC_IP", "Plex /myplex/account", "router"). */
  readonly source: string;
}

const configured: PublicIpSource = {
  name: 'PUBLIC_IP',
  read: async (ctx) => ctx.config.network.publicIp,
};

/**
 * The address plex.tv saw the server connect from (`/myplex/account` publicAddress), once per
 * scan, recorded in the scope as learned from Plex: from then on it is the household's own.
 */
export function plexPublicAddress(ctx: CheckContext): Promise<string | undefined> {
  return ctx.shared.once('plex-public-address', async () => {
    const availability = await plexAvailability(ctx);
    if (availability.identityError || availability.tokenError || !ctx.plex.hasToken) return undefined;
    const raw = (await readMyPlexAccount(ctx)).publicAddress;
    const ip = raw === undefined ? undefined : normalizeIp(raw);
    if (ip && isInternetAddress(ip)) ctx.scope.learn('plex', ip);
    return ip;
  });
}

const plexAccount: PublicIpSource = {
  name: 'Plex /myplex/account publicAddress',
  read: plexPublicAddress,
};

const router: PublicIpSource = {
  name: 'router (UPnP/NAT-PMP)',
  read: async (ctx) => routerPublicIp(await readRouterFacts(ctx)),
};

/**
 * Sources in order of trust: what the admin configured, what Plex learned from plex.tv, what
 * the router reports as its external address (public addresses only: CGNAT is not the home's).
 */
export const publicIpSources: readonly PublicIpSource[] = [configured, plexAccount, router];

/**
 * The first answer of the sources, once per scan. A source that fails is skipped (its own check
 * reports the failure), so the outside view still works with Plex down and PUBLIC_IP set.
 */
export function resolvePublicIp(
  ctx: CheckContext,
  sources: readonly PublicIpSource[] = publicIpSources,
): Promise<PublicIp | undefined> {
  return ctx.shared.once('public-ip', async () => {
    for (const source of sources) {
      let raw: string | undefined;
      try {
        raw = await source.read(ctx);
      } catch (error) {
        ctx.logger.debug('public IP source failed', { source: source.name, error });
        continue;
      }
      const ip = raw === undefined ? undefined : normalizeIp(raw);
      if (ip) return { ip, source: source.name };
    }
    return undefined;
  });
}
