import type { MappingWalk, PortMapping } from '../adapters/router/igd-client.js';
import { locateIgd, type RouterProbeOverrides, routerErrorText } from '../adapters/router/igd-locator.js';
import { defaultGateway, natPmpExternalAddress } from '../adapters/router/nat-pmp.js';
import { RouterHttp } from '../adapters/router/soap-client.js';
import type { CheckContext } from '../checks/types.js';
import type { RouterConfig } from '../config/router.js';
import { isInternetAddress, isRoutableWanAddress } from '../net/special-ranges.js';

export interface RouterDevice {
  readonly friendlyName: string | undefined;
  readonly descriptionUrl: string;
  readonly controlUrl: string;
  readonly serviceType: string;
  readonly via: 'url' | 'ssdp';
}

/** What the router told us in this scan. Shared by router-upnp, public-footprint, exposed-services. */
export interface RouterFacts {
  /** The UPnP external address (undefined when UPnP did not answer or left it empty). */
  readonly externalIp: string | undefined;
  /** Every mapping read (possibly partial: see `walk.stop`). */
  readonly mappings: readonly PortMapping[];
  readonly upnpAvailable: boolean;
  readonly natPmpExternalIp: string | undefined;
  /** Why UPnP gave nothing or only part (safe to show); undefined when all went well. */
  readonly error: string | undefined;
  /** `skipped` = configuration said not to ask; `silent` = nobody answered; `failed` = answered badly. */
  readonly upnpStatus: 'ok' | 'skipped' | 'silent' | 'failed';
  readonly device: RouterDevice | undefined;
  readonly walk: Omit<MappingWalk, 'mappings'> | undefined;
  /** Undefined when NAT-PMP is off or no gateway is known. */
  readonly natPmpGateway: string | undefined;
  /** Why NAT-PMP gave no address (off, no default route, timeout, refused). */
  readonly natPmpError: string | undefined;
}

/**
 * The router facts for this scan, computed once and shared: the first check to ask starts the
 * probe with its own abort signal; the others await the same promise.
 */
export function readRouterFacts(
  ctx: Pick<CheckContext, 'config' | 'signal' | 'shared'> & { readonly scope?: CheckContext['scope'] },
  overrides?: RouterProbeOverrides,
): Promise<RouterFacts> {
  return ctx.shared.once('router', async () => {
    const facts = await collectRouterFacts(ctx.config.router, ctx.signal, overrides);
    // Recorded with their source: the scope trusts the router's UPnP answer only when Plex or
    // NAT-PMP agrees (any LAN host can answer SSDP and claim an external address).
    if (facts.externalIp && isInternetAddress(facts.externalIp)) ctx.scope?.learn('router', facts.externalIp);
    if (facts.natPmpExternalIp && isInternetAddress(facts.natPmpExternalIp))
      ctx.scope?.learn('nat-pmp', facts.natPmpExternalIp);
    return facts;
  });
}

/**
 * The household's public IPv4 as the router sees it (UPnP first, then NAT-PMP), only when it is
 * a real public address: behind CGNAT or double NAT the router's WAN address is not what the
 * internet sees, so public-footprint must not look it up.
 */
export function routerPublicIp(facts: RouterFacts): string | undefined {
  for (const ip of [facts.externalIp, facts.natPmpExternalIp]) {
    if (ip && isRoutableWanAddress(ip)) return ip;
  }
  return undefined;
}

/** Asks the router over UPnP and NAT-PMP at the same time; never throws for router trouble. */
export async function collectRouterFacts(
  config: RouterConfig,
  signal?: AbortSignal,
  overrides: RouterProbeOverrides = {},
): Promise<RouterFacts> {
  const [upnp, natPmp] = await Promise.all([
    readUpnp(config, signal, overrides),
    readNatPmp(config, signal, overrides),
  ]);
  return { ...upnp, ...natPmp };
}

type UpnpPart = Pick<
  RouterFacts,
  'externalIp' | 'mappings' | 'upnpAvailable' | 'error' | 'upnpStatus' | 'device' | 'walk'
>;

async function readUpnp(
  config: RouterConfig,
  signal: AbortSignal | undefined,
  overrides: RouterProbeOverrides,
) {
  const http = new RouterHttp({ timeoutMs: config.timeoutMs });
  try {
    const located = await locateIgd(config, http, signal, overrides);
    if (!located.ok) {
      return {
        externalIp: undefined,
        mappings: [],
        upnpAvailable: false,
        error: located.reason,
        upnpStatus: located.status,
        device: undefined,
        walk: undefined,
      } satisfies UpnpPart;
    }
    const { client } = located;
    const device: RouterDevice = {
      friendlyName: client.description.friendlyName,
      descriptionUrl: client.description.descriptionUrl,
      controlUrl: client.service.controlUrl,
      serviceType: client.service.serviceType,
      via: located.via,
    };
    const problems: string[] = [];
    let externalIp: string | undefined;
    try {
      externalIp = await client.externalIp(signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      problems.push(`GetExternalIPAddress: ${routerErrorText(error)}`);
    }
    const { mappings, ...walk } = await client.readMappings(
      { maxMappings: config.maxMappings, timeBoundMs: config.walkTimeoutMs },
      signal,
    );
    if (walk.error) problems.push(walk.error);
    return {
      externalIp,
      mappings,
      upnpAvailable: true,
      error: problems.length > 0 ? problems.join('; ') : undefined,
      upnpStatus: 'ok',
      device,
      walk,
    } satisfies UpnpPart;
  } finally {
    await http.close();
  }
}

async function readNatPmp(
  config: RouterConfig,
  signal: AbortSignal | undefined,
  overrides: RouterProbeOverrides,
): Promise<Pick<RouterFacts, 'natPmpExternalIp' | 'natPmpGateway' | 'natPmpError'>> {
  if (config.natPmpGateway === 'off') {
    return { natPmpExternalIp: undefined, natPmpGateway: undefined, natPmpError: 'NATPMP_GATEWAY=off' };
  }
  const gateway =
    config.natPmpGateway === 'auto' ? await defaultGateway(overrides.routeFile) : config.natPmpGateway;
  if (!gateway) {
    return {
      natPmpExternalIp: undefined,
      natPmpGateway: undefined,
      natPmpError: 'no IPv4 default route, so no gateway to ask (set NATPMP_GATEWAY)',
    };
  }
  const result = await natPmpExternalAddress(gateway, {
    timeoutMs: config.timeoutMs,
    port: overrides.natPmpPort,
    signal,
  });
  return result.ok
    ? { natPmpExternalIp: result.answer.externalIp, natPmpGateway: gateway, natPmpError: undefined }
    : { natPmpExternalIp: undefined, natPmpGateway: gateway, natPmpError: result.detail };
}
