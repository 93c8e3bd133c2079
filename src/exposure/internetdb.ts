import { isObject } from '../adapters/plex/plex-client.js';
import type { CheckContext } from '../checks/types.js';
import { getJson, OutsideError } from './outside-http.js';

/** What Shodan InternetDB says about one IPv4 address. It carries no crawl date. */
export type InternetDbResult =
  | {
      readonly kind: 'indexed';
      readonly ip: string;
      readonly ports: readonly number[];
      readonly hostnames: readonly string[];
      readonly tags: readonly string[];
      readonly vulns: readonly string[];
      readonly cpes: readonly string[];
    }
  /** 404: never indexed. Not the same as "nothing open". */
  | { readonly kind: 'not-indexed'; readonly ip: string }
  | { readonly kind: 'rate-limited'; readonly ip: string }
  | { readonly kind: 'error'; readonly ip: string; readonly message: string };

const strings = (value: unknown, max = 100): string[] =>
  Array.isArray(value)
    ? value
        .filter((v): v is string => typeof v === 'string')
        .slice(0, max)
        .map((s) => s.slice(0, 200))
    : [];

/** Looks an address up once per scan; public-footprint and exposed-services share the answer. */
export function lookupInternetDb(ctx: CheckContext, ip: string): Promise<InternetDbResult> {
  return ctx.shared.once(`internetdb:${ip}`, async () => {
    const { internetDbUrl, outsideTimeoutMs } = ctx.config.exposure;
    try {
      const response = await getJson(`${internetDbUrl}/${encodeURIComponent(ip)}`, {
        signal: ctx.signal,
        timeoutMs: outsideTimeoutMs,
        label: 'InternetDB',
      });
      if (response.status === 404) return { kind: 'not-indexed', ip };
      if (response.status === 429) return { kind: 'rate-limited', ip };
      if (response.status !== 200 || !isObject(response.body)) {
        return { kind: 'error', ip, message: `InternetDB answered HTTP ${response.status}` };
      }
      const body = response.body;
      const ports = Array.isArray(body.ports)
        ? body.ports.filter((p): p is number => Number.isInteger(p) && p > 0 && p < 65_536)
        : [];
      return {
        kind: 'indexed',
        ip,
        ports: [...new Set(ports)].sort((a, b) => a - b),
        hostnames: strings(body.hostnames),
        tags: strings(body.tags),
        vulns: strings(body.vulns),
        cpes: strings(body.cpes),
      };
    } catch (error) {
      return {
        kind: 'error',
        ip,
        message: error instanceof OutsideError ? error.message : 'InternetDB lookup failed',
      };
    }
  });
}
