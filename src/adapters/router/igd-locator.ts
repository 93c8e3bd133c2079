import type { RouterConfig } from '../../config/router.js';
import { displayUrl } from '../../kernel/display-url.js';
import { IgdClient } from './igd-client.js';
import type { RouterHttp } from './soap-client.js';
import { discoverGateways } from './ssdp.js';
import { RouterError } from './upnp-errors.js';

/** Test seams: where SSDP and NAT-PMP go. Production code never sets these. */
export interface RouterProbeOverrides {
  readonly ssdpTarget?: { readonly host: string; readonly port: number };
  readonly natPmpPort?: number;
  readonly routeFile?: string;
}

export type LocateResult =
  | { readonly ok: true; readonly client: IgdClient; readonly via: 'url' | 'ssdp' }
  /** `skipped`: configuration says not to look; `silent`: nobody answered; `failed`: answered badly. */
  | { readonly ok: false; readonly status: 'skipped' | 'silent' | 'failed'; readonly reason: string };

const MAX_CANDIDATES = 4;

/** Finds the router's WAN connection service: ROUTER_UPNP_URL first, else SSDP when allowed. */
export async function locateIgd(
  config: RouterConfig,
  http: RouterHttp,
  signal?: AbortSignal,
  overrides: RouterProbeOverrides = {},
): Promise<LocateResult> {
  if (config.upnpUrl) {
    try {
      return { ok: true, client: await IgdClient.connect(config.upnpUrl, http, signal), via: 'url' };
    } catch (error) {
      if (signal?.aborted) throw error;
      const silent =
        error instanceof RouterError && (error.kind === 'timeout' || error.kind === 'unreachable');
      return {
        ok: false,
        status: silent ? 'silent' : 'failed',
        reason: `ROUTER_UPNP_URL: ${routerErrorText(error)}`,
      };
    }
  }
  if (config.discovery === 'off') {
    return {
      ok: false,
      status: 'skipped',
      reason: 'ROUTER_DISCOVERY=off and ROUTER_UPNP_URL is not set, so the router was not asked',
    };
  }
  let answers: Awaited<ReturnType<typeof discoverGateways>>;
  try {
    answers = await discoverGateways({
      timeoutMs: config.discoveryTimeoutMs,
      bindAddress: config.ssdpBindAddress,
      target: overrides.ssdpTarget,
      signal,
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    return {
      ok: false,
      status: 'silent',
      reason: `SSDP discovery could not be sent (${code}); is there a route to the LAN?`,
    };
  }
  if (answers.length === 0) {
    return {
      ok: false,
      status: 'silent',
      reason: `no Internet Gateway Device answered SSDP discovery within ${config.discoveryTimeoutMs} ms`,
    };
  }
  const problems: string[] = [];
  for (const answer of answers.slice(0, MAX_CANDIDATES)) {
    try {
      return { ok: true, client: await IgdClient.connect(answer.location, http, signal), via: 'ssdp' };
    } catch (error) {
      if (signal?.aborted) throw error;
      problems.push(`${displayUrl(answer.location)}: ${routerErrorText(error)}`);
    }
  }
  return {
    ok: false,
    status: 'failed',
    reason: `a gateway answered but could not be used (${problems.join('; ')})`,
  };
}

/**
 * A RouterError's text, to put in a reason. Anything else is a bug, not a router's answer: it
 * goes on to the boundary (scan runner, proposal, command), which logs it under a reference.
 */
export function routerErrorText(error: unknown): string {
  if (error instanceof RouterError) return error.message;
  throw error;
}
