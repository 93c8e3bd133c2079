// Before undici: it reads globalThis.Headers as it loads (see the module).
import '../../kernel/web-globals.js';
import { XMLParser } from 'fast-xml-parser';
import { Agent, type Dispatcher } from 'undici';
import { httpRequest } from '../../kernel/http-request.js';
import { RouterError, UpnpFaultError } from './upnp-errors.js';

export interface HttpOptions {
  readonly timeoutMs: number;
  /** Routers answer with a few KB; garbage or a hostile device could send without end. */
  readonly maxBodyBytes?: number;
  readonly dispatcher?: Dispatcher;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/** Tag names lower-cased and namespace prefixes dropped: routers vary in both. */
export const xmlParser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  transformTagName: (name) => name.toLowerCase(),
  processEntities: true,
});

/** The router's HTTP: the description fetch and SOAP, over the one bounded request helper. */
export class RouterHttp {
  private readonly dispatcher: Dispatcher;
  private readonly maxBodyBytes: number;

  constructor(readonly options: HttpOptions) {
    this.dispatcher =
      options.dispatcher ??
      // No keep-alive: miniupnpd and most router HTTP servers close after every answer, and
      // reusing a socket the router is closing costs a retry on each call.
      new Agent({ connectTimeout: options.timeoutMs, pipelining: 0 });
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  async send(
    url: string,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; label: string },
    signal?: AbortSignal,
  ): Promise<{ status: number; text: string }> {
    const response = await httpRequest({
      service: 'the router',
      method: init.method,
      url,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      timeoutMs: this.options.timeoutMs,
      maxBodyBytes: this.maxBodyBytes,
      signal,
      dispatcher: this.dispatcher,
      label: init.label,
      fail: (kind, message, status, options) => new RouterError(kind, message, status, options),
    });
    return { status: response.status, text: response.text };
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type SoapArgs = ReadonlyArray<readonly [name: string, value: string | number]>;

/**
 * Calls one SOAP action. Arguments keep their order (some routers insist on the spec's order).
 * Returns the response element's children as lower-cased name → text. A fault (any status)
 * becomes UpnpFaultError carrying the UPnP errorCode.
 */
export async function soapCall(
  http: RouterHttp,
  controlUrl: string,
  serviceType: string,
  action: string,
  args: SoapArgs,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const argXml = args.map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`).join('');
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${argXml}</u:${action}></s:Body></s:Envelope>`;
  const { status, text } = await http.send(
    controlUrl,
    {
      method: 'POST',
      label: action,
      headers: {
        'content-type': 'text/xml; charset="utf-8"',
        soapaction: `"${serviceType}#${action}"`,
      },
      body,
    },
    signal,
  );
  const envelope = parseEnvelope(text, action, status);
  const fault = envelope.fault;
  if (fault !== undefined) {
    const detail = asRecord(asRecord(asRecord(fault)?.detail)?.upnperror);
    const code = Number.parseInt(String(detail?.errorcode ?? ''), 10);
    const description = typeof detail?.errordescription === 'string' ? detail.errordescription : undefined;
    throw new UpnpFaultError(action, Number.isFinite(code) ? code : undefined, description, status);
  }
  if (status < 200 || status >= 300) {
    throw new RouterError('http-status', `${action} answered HTTP ${status} without a SOAP fault`, status);
  }
  const responseKey = `${action.toLowerCase()}response`;
  const result = envelope[responseKey];
  if (result === undefined) {
    throw new RouterError('malformed', `${action}: the router's answer has no ${action}Response`, status);
  }
  // A self-closing <u:AddPortMappingResponse/> parses as an empty string.
  const out: Record<string, string> = {};
  const record = asRecord(result);
  if (record) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
      else if (value === null || value === undefined) out[key] = '';
      else if (isRecord(value) && '#text' in value) out[key] = String(value['#text']);
    }
  }
  return out;
}

function parseEnvelope(text: string, action: string, status: number): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = xmlParser.parse(text);
  } catch {
    throw new RouterError('malformed', `${action}: the router answered something that is not XML`, status);
  }
  const body = asRecord(asRecord(asRecord(doc)?.envelope)?.body);
  if (!body) {
    if (status < 200 || status >= 300) {
      throw new RouterError('http-status', `${action} answered HTTP ${status} without a SOAP fault`, status);
    }
    throw new RouterError('malformed', `${action}: the router's answer is not a SOAP envelope`, status);
  }
  return body;
}

/** An XML-parsed element with children (fast-xml-parser gives plain objects for those). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}
