import { asRecord, xmlParser } from './soap-client.js';
import { RouterError } from './upnp-errors.js';

/** A WAN connection service that can read and change port mappings. */
export interface WanService {
  readonly serviceType: string;
  readonly kind: 'WANIPConnection' | 'WANPPPConnection';
  readonly version: number;
  readonly controlUrl: string;
}

export interface IgdDescription {
  readonly descriptionUrl: string;
  readonly deviceType: string;
  readonly friendlyName: string | undefined;
  readonly manufacturer: string | undefined;
  readonly modelName: string | undefined;
  /** All WAN connection services found, best first (WANIPConnection:2, :1, then PPP). */
  readonly services: readonly WanService[];
  /** WAN services skipped because their control URL is on another host. */
  readonly refusedServices: number;
}

const SERVICE = /^urn:schemas-upnp-org:service:(WANIPConnection|WANPPPConnection):(\d+)$/i;

/**
 * Parses a UPnP device description. Tag case and namespace prefixes vary between routers, so
 * both are normalised; the WAN services may sit at any depth of the embedded device tree.
 * Control URLs are resolved against URLBase when present, else the description's own URL, and
 * must stay on the description's host: a description naming another host would have the bot
 * send SOAP requests to it (SSRF from the LAN). A URLBase on another host is ignored, a control
 * URL on another host skips that service.
 */
export function parseIgdDescription(xml: string, descriptionUrl: string): IgdDescription {
  let doc: unknown;
  try {
    doc = xmlParser.parse(xml);
  } catch {
    throw new RouterError('malformed', 'the router description is not XML');
  }
  const root = asRecord(asRecord(doc)?.root);
  const device = asRecord(root?.device);
  if (!root || !device) {
    throw new RouterError('malformed', 'the router description has no <root><device>');
  }
  const declaredBase = text(root.urlbase);
  const base = declaredBase && sameHost(declaredBase, descriptionUrl) ? declaredBase : descriptionUrl;
  const services: WanService[] = [];
  const refused = { count: 0 };
  collectServices(device, base, services, 0, descriptionUrl, refused);
  services.sort((a, b) => rank(b) - rank(a));
  return {
    descriptionUrl,
    deviceType: text(device.devicetype) ?? 'unknown',
    friendlyName: text(device.friendlyname),
    manufacturer: text(device.manufacturer),
    modelName: text(device.modelname),
    services,
    refusedServices: refused.count,
  };
}

function rank(service: WanService): number {
  return (service.kind === 'WANIPConnection' ? 10 : 0) + service.version;
}

function collectServices(
  device: Record<string, unknown>,
  base: string,
  out: WanService[],
  depth: number,
  descriptionUrl: string,
  refused: { count: number },
): void {
  if (depth > 8) return;
  for (const service of list(asRecord(device.servicelist)?.service)) {
    const type = text(service.servicetype);
    const control = text(service.controlurl);
    const match = type ? SERVICE.exec(type) : null;
    if (!type || !control || !match) continue;
    const controlUrl = resolve(control, base);
    if (!controlUrl) continue;
    if (!sameHost(controlUrl, descriptionUrl)) {
      refused.count++;
      continue;
    }
    const kind = match[1]?.toLowerCase() === 'wanipconnection' ? 'WANIPConnection' : 'WANPPPConnection';
    // Keep the router's spelling of the service type: it goes back verbatim in SOAPAction.
    out.push({ serviceType: type, kind, version: Number(match[2]), controlUrl });
  }
  for (const child of list(asRecord(device.devicelist)?.device)) {
    collectServices(child, base, out, depth + 1, descriptionUrl, refused);
  }
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).hostname.toLowerCase() === new URL(b).hostname.toLowerCase();
  } catch {
    return false;
  }
}

function resolve(relative: string, base: string): string | undefined {
  try {
    const url = new URL(relative, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function list(value: unknown): Record<string, unknown>[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map(asRecord).filter((r): r is Record<string, unknown> => r !== undefined);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') {
    const s = String(value).trim();
    return s === '' ? undefined : s;
  }
  return undefined;
}
