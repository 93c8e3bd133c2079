import { type IgdDescription, parseIgdDescription, type WanService } from './igd-description.js';
import { asRecord, type RouterHttp, soapCall, xmlParser } from './soap-client.js';
import { RouterError, UPNP_ERRORS, UpnpFaultError } from './upnp-errors.js';

export interface PortMapping {
  /** Empty = any remote host (the usual case). */
  readonly remoteHost: string;
  readonly externalPort: number;
  /** Upper-cased as the router sent it: TCP or UDP in practice. */
  readonly protocol: string;
  readonly internalPort: number;
  /** The LAN address the router forwards to; empty when the router left it out. */
  readonly internalClient: string;
  readonly enabled: boolean;
  readonly description: string;
  /** Remaining lease in seconds; 0 = permanent (never expires by itself). */
  readonly leaseSeconds: number;
}

export type MappingKey = Pick<PortMapping, 'remoteHost' | 'externalPort' | 'protocol'>;

export type WalkStop =
  /** The router said "no more entries" (713, or a 402/714/501 or bare 500 some routers use). */
  | 'end'
  /** UPNP_MAX_MAPPINGS reached. */
  | 'cap'
  /** UPNP_WALK_TIMEOUT reached. */
  | 'time'
  /** Another failure; `error` says which. */
  | 'error';

export interface MappingWalk {
  readonly mappings: readonly PortMapping[];
  readonly method: 'GetGenericPortMappingEntry' | 'GetListOfPortMappings';
  readonly stop: WalkStop;
  /** Entries the router returned without a usable protocol or external port. */
  readonly malformed: number;
  readonly error: string | undefined;
  readonly elapsedMs: number;
}

export interface WalkLimits {
  readonly maxMappings: number;
  readonly timeBoundMs: number;
  /** Requests in flight during the generic walk (default 4; 1 = strictly sequential). */
  readonly concurrency?: number;
}

const END_CODES: ReadonlySet<number> = new Set([
  UPNP_ERRORS.noSuchArrayIndex,
  UPNP_ERRORS.noSuchEntry,
  UPNP_ERRORS.invalidArgs,
  UPNP_ERRORS.actionFailed,
]);

/**
 * A UPnP Internet Gateway Device's WAN connection service: external address, the mapping
 * table, and deleting mappings. Kept small on purpose: no maintained npm library both lists
 * and deletes mappings with typed faults, bounded reads and the quirks below handled.
 */
export class IgdClient {
  constructor(
    readonly description: IgdDescription,
    readonly service: WanService,
    private readonly http: RouterHttp,
  ) {}

  /** Fetches and parses the description; fails when it offers no WAN connection service. */
  static async connect(descriptionUrl: string, http: RouterHttp, signal?: AbortSignal): Promise<IgdClient> {
    const { status, text } = await http.send(
      descriptionUrl,
      { method: 'GET', label: 'GET description' },
      signal,
    );
    // undici's request() does not follow redirects: a 3xx pointing elsewhere ends here.
    if (status < 200 || status >= 300) {
      throw new RouterError('http-status', `the router description answered HTTP ${status}`, status);
    }
    const description = parseIgdDescription(text, descriptionUrl);
    const service = description.services[0];
    if (!service && description.refusedServices > 0) {
      throw new RouterError(
        'malformed',
        'the description points its WAN control URL at another host; refused (only the answering router is called)',
      );
    }
    if (!service) {
      throw new RouterError(
        'malformed',
        `${description.friendlyName ?? 'the device'} offers no WANIPConnection or WANPPPConnection service`,
      );
    }
    return new IgdClient(description, service, http);
  }

  get supportsListOfPortMappings(): boolean {
    return this.service.kind === 'WANIPConnection' && this.service.version >= 2;
  }

  private call(
    action: string,
    args: ReadonlyArray<readonly [string, string | number]>,
    signal?: AbortSignal,
  ) {
    return soapCall(this.http, this.service.controlUrl, this.service.serviceType, action, args, signal);
  }

  async externalIp(signal?: AbortSignal): Promise<string | undefined> {
    const out = await this.call('GetExternalIPAddress', [], signal);
    const ip = out.newexternalipaddress?.trim();
    return ip ? ip : undefined;
  }

  /** One entry of the table; undefined when the entry lacks a protocol or external port. */
  async genericEntry(index: number, signal?: AbortSignal): Promise<PortMapping | undefined> {
    const out = await this.call('GetGenericPortMappingEntry', [['NewPortMappingIndex', index]], signal);
    return toMapping({
      remoteHost: out.newremotehost,
      externalPort: out.newexternalport,
      protocol: out.newprotocol,
      internalPort: out.newinternalport,
      internalClient: out.newinternalclient,
      enabled: out.newenabled,
      description: out.newportmappingdescription,
      lease: out.newleaseduration,
    });
  }

  /**
   * Reads the table entry by entry until the router says it ended, with a cap and a time bound.
   * Routers close the connection after every answer, so each entry costs a connection; a few
   * requests in flight hide that latency. Results are taken in index order and everything after
   * the first failure is discarded, so the outcome equals a sequential walk.
   */
  async walkGeneric(limits: WalkLimits, signal?: AbortSignal): Promise<MappingWalk> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(limits.timeBoundMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const inFlight = Math.max(1, limits.concurrency ?? 4);
    const mappings: PortMapping[] = [];
    let malformed = 0;
    let stop: WalkStop | undefined;
    let error: string | undefined;
    for (let base = 0; stop === undefined && base < limits.maxMappings; base += inFlight) {
      const count = Math.min(inFlight, limits.maxMappings - base);
      const results = await Promise.allSettled(
        Array.from({ length: count }, (_, k) => this.genericEntry(base + k, combined)),
      );
      for (const [k, result] of results.entries()) {
        if (result.status === 'fulfilled') {
          if (result.value) mappings.push(result.value);
          else malformed++;
          continue;
        }
        const e: unknown = result.reason;
        if (signal?.aborted) throw e;
        if (deadline.aborted) {
          stop = 'time';
        } else if (isEndOfTable(e, base + k)) {
          stop = 'end';
        } else {
          stop = 'error';
          if (!(e instanceof RouterError)) throw e;
          error = e.message;
        }
        break;
      }
    }
    return {
      mappings,
      method: 'GetGenericPortMappingEntry',
      stop: stop ?? 'cap',
      malformed,
      error,
      elapsedMs: performance.now() - started,
    };
  }

  /**
   * IGD:2's GetListOfPortMappings, once per protocol: far fewer round trips. The router
   * returns at most `maxMappings` per protocol; a full answer is reported as capped.
   */
  async listPortMappings(limits: WalkLimits, signal?: AbortSignal): Promise<MappingWalk> {
    const started = performance.now();
    const deadline = AbortSignal.timeout(limits.timeBoundMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const mappings: PortMapping[] = [];
    let malformed = 0;
    let stop: WalkStop = 'end';
    for (const protocol of ['TCP', 'UDP']) {
      let out: Record<string, string>;
      try {
        out = await this.call(
          'GetListOfPortMappings',
          [
            ['NewStartPort', 0],
            ['NewEndPort', 65535],
            ['NewProtocol', protocol],
            ['NewManage', 1],
            ['NewNumberOfPorts', limits.maxMappings],
          ],
          combined,
        );
      } catch (e) {
        // 730 = PortMappingNotFound: nothing for this protocol.
        if (e instanceof UpnpFaultError && e.errorCode === 730) continue;
        if (deadline.aborted && !signal?.aborted) {
          stop = 'time';
          break;
        }
        throw e;
      }
      const parsed = parsePortListing(out.newportlisting ?? '');
      malformed += parsed.malformed;
      mappings.push(...parsed.mappings);
      if (parsed.mappings.length + parsed.malformed >= limits.maxMappings) stop = 'cap';
    }
    const capped = mappings.slice(0, limits.maxMappings);
    return {
      mappings: capped,
      method: 'GetListOfPortMappings',
      stop: capped.length < mappings.length ? 'cap' : stop,
      malformed,
      error: undefined,
      elapsedMs: performance.now() - started,
    };
  }

  /** GetListOfPortMappings where offered, else (or when it fails) the generic walk. */
  async readMappings(limits: WalkLimits, signal?: AbortSignal): Promise<MappingWalk> {
    if (this.supportsListOfPortMappings) {
      try {
        return await this.listPortMappings(limits, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
      }
    }
    return this.walkGeneric(limits, signal);
  }

  async deleteMapping(key: MappingKey, signal?: AbortSignal): Promise<void> {
    await this.call(
      'DeletePortMapping',
      [
        ['NewRemoteHost', key.remoteHost],
        ['NewExternalPort', key.externalPort],
        ['NewProtocol', key.protocol],
      ],
      signal,
    );
  }

  /** For tests and benchmarks: the bot itself never opens ports. */
  async addMapping(mapping: Omit<PortMapping, 'enabled'>, signal?: AbortSignal): Promise<void> {
    await this.call(
      'AddPortMapping',
      [
        ['NewRemoteHost', mapping.remoteHost],
        ['NewExternalPort', mapping.externalPort],
        ['NewProtocol', mapping.protocol],
        ['NewInternalPort', mapping.internalPort],
        ['NewInternalClient', mapping.internalClient],
        ['NewEnabled', 1],
        ['NewPortMappingDescription', mapping.description],
        ['NewLeaseDuration', mapping.leaseSeconds],
      ],
      signal,
    );
  }
}

function isEndOfTable(error: unknown, index: number): boolean {
  if (error instanceof UpnpFaultError) {
    return error.errorCode === undefined || END_CODES.has(error.errorCode);
  }
  // Some routers answer a bare HTTP 500 past the end; at index 0 that could be anything else.
  return error instanceof RouterError && error.kind === 'http-status' && error.status === 500 && index > 0;
}

interface RawEntry {
  remoteHost: string | undefined;
  externalPort: string | undefined;
  protocol: string | undefined;
  internalPort: string | undefined;
  internalClient: string | undefined;
  enabled: string | undefined;
  description: string | undefined;
  lease: string | undefined;
}

function toMapping(raw: RawEntry): PortMapping | undefined {
  const externalPort = port(raw.externalPort);
  const protocol = raw.protocol?.trim().toUpperCase();
  if (externalPort === undefined || !protocol) return undefined;
  const lease = Number.parseInt(raw.lease ?? '', 10);
  return {
    remoteHost: raw.remoteHost?.trim() ?? '',
    externalPort,
    protocol,
    internalPort: port(raw.internalPort) ?? externalPort,
    internalClient: raw.internalClient?.trim() ?? '',
    enabled: raw.enabled === undefined ? true : raw.enabled.trim() !== '0',
    description: raw.description?.trim() ?? '',
    leaseSeconds: Number.isFinite(lease) && lease > 0 ? lease : 0,
  };
}

function port(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,5}\s*$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The `NewPortListing` argument: an XML document inside the SOAP answer (CDATA or escaped). */
export function parsePortListing(xml: string): { mappings: PortMapping[]; malformed: number } {
  if (xml.trim() === '') return { mappings: [], malformed: 0 };
  let doc: unknown;
  try {
    doc = xmlParser.parse(xml);
  } catch {
    throw new RouterError('malformed', 'GetListOfPortMappings returned a listing that is not XML');
  }
  const list = asRecord(asRecord(doc)?.portmappinglist);
  const raw = list?.portmappingentry;
  const entries = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const mappings: PortMapping[] = [];
  let malformed = 0;
  for (const item of entries) {
    const e = asRecord(item);
    const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
    const mapping = e
      ? toMapping({
          remoteHost: s(e.newremotehost),
          externalPort: s(e.newexternalport),
          protocol: s(e.newprotocol),
          internalPort: s(e.newinternalport),
          internalClient: s(e.newinternalclient),
          enabled: s(e.newenabled),
          description: s(e.newdescription),
          lease: s(e.newleasetime),
        })
      : undefined;
    if (mapping) mappings.push(mapping);
    else malformed++;
  }
  return { mappings, malformed };
}
