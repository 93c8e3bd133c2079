// Before undici: it reads globalThis.Headers as it loads (see the module).
import '../../kernel/web-globals.js';
import { Agent, type Dispatcher } from 'undici';
import { ServiceError, type ServiceFailure } from '../../kernel/errors.js';
import { httpRequest } from '../../kernel/http-request.js';
import { plexDirectLookup } from './plex-direct.js';

/** Every failure of a Plex call, with a message safe to show (no token, no body dump). */
export class PlexError extends ServiceError {
  override readonly name: string = 'PlexError';
  constructor(kind: ServiceFailure, message: string, status?: number, options?: ErrorOptions) {
    super('Plex', kind, message, status, options);
  }
}

export interface PlexClientOptions {
  readonly baseUrl: string;
  readonly token: string | undefined;
  /** One fixed identifier per installation: a new one per run makes Plex email "new device". */
  readonly clientIdentifier: string;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
  /** Extra trusted CA (PEM) for a server with its own certificate; verification is never turned off. */
  readonly ca?: string;
  /** Upper bound on a response body; Plex answers are small, garbage can be endless. */
  readonly maxBodyBytes?: number;
}

export interface PlexIdentity {
  readonly machineIdentifier: string;
  readonly version: string;
  readonly claimed: boolean;
}

type Json = Record<string, unknown>;

const PRODUCT = 'plex-warden';

export class PlexClient {
  private readonly dispatcher: Dispatcher;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: PlexClientOptions) {
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connectTimeout: options.timeoutMs,
        keepAliveTimeout: 10_000,
        // https://a-b-c-d.<hash>.plex.direct:32400 works even where the router filters such DNS answers.
        connect: { lookup: plexDirectLookup, ...(options.ca ? { ca: options.ca } : {}) },
      });
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  get hasToken(): boolean {
    return this.options.token !== undefined;
  }

  /**
   * Headers for plex.tv calls made on the owner's behalf (resources): the same identity and token,
   * always as headers, never in a URL.
   */
  plexTvHeaders(): Record<string, string> {
    const headers: Record<string, string> = {
      'x-plex-client-identifier': this.options.clientIdentifier,
      'x-plex-product': PRODUCT,
    };
    if (this.options.token !== undefined) headers['x-plex-token'] = this.options.token;
    return headers;
  }

  /** `GET /identity`: answers without a token. */
  async identity(signal?: AbortSignal): Promise<PlexIdentity> {
    const container = await this.get('/identity', { signal, auth: false });
    const machineIdentifier = container.machineIdentifier;
    const version = container.version;
    if (typeof machineIdentifier !== 'string' || typeof version !== 'string') {
      throw new PlexError('malformed', 'GET /identity did not include machineIdentifier and version');
    }
    return { machineIdentifier, version, claimed: parseBool(container.claimed) ?? false };
  }

  /**
   * GET a path and return the body's `MediaContainer` (or `MyPlex` for /myplex/account).
   * Throws PlexError for every failure.
   */
  async get(path: string, opts: { signal?: AbortSignal | undefined; auth?: boolean } = {}): Promise<Json> {
    return this.call('GET', path, opts);
  }

  /** PUT a path (e.g. `/:/prefs?Id=value`); returns the container when the server sends one. */
  async put(path: string, opts: { signal?: AbortSignal | undefined } = {}): Promise<Json> {
    return this.call('PUT', path, { ...opts, auth: true });
  }

  /**
   * Stops a stream: `GET /status/sessions/terminate?sessionId=<Session id>&reason=<text>`, the
   * reason shown to the viewer (blacktwin/JBOPS killstream/kill_outsider_stream.py). Plex Pass
   * only (blacktwin/JBOPS killstream/readme.md). Returns the HTTP status instead of throwing
   * for a non-2xx answer: what a server without Plex Pass answers is not publicly recorded, so
   * the caller treats every non-2xx as refused. Throws PlexError only when no answer came.
   */
  async terminateSession(sessionId: string, reason: string, signal?: AbortSignal): Promise<number> {
    const query = new URLSearchParams({ sessionId, reason });
    const { status } = await this.send('GET', `/status/sessions/terminate?${query}`, { signal, auth: true });
    return status;
  }

  private async call(
    method: 'GET' | 'PUT',
    path: string,
    opts: { signal?: AbortSignal | undefined; auth?: boolean },
  ): Promise<Json> {
    const { status: statusCode, text, label } = await this.send(method, path, opts);
    if (statusCode === 401 || statusCode === 403) {
      throw new PlexError(
        'unauthorized',
        `${label} answered ${statusCode}: the token was not accepted`,
        statusCode,
      );
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw new PlexError('http-status', `${label} answered HTTP ${statusCode}`, statusCode);
    }
    if (text.trim() === '') return {};
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const kind = text.trimStart().startsWith('<') ? 'XML or HTML' : 'something that is not JSON';
      throw new PlexError(
        'malformed',
        `${label} answered ${kind}; is PLEX_URL pointing at a Plex Media Server?`,
        statusCode,
      );
    }
    if (!isObject(body))
      throw new PlexError('malformed', `${label} answered JSON that is not an object`, statusCode);
    const container = body.MediaContainer ?? body.MyPlex;
    if (!isObject(container))
      throw new PlexError('malformed', `${label} answered JSON without a MediaContainer`, statusCode);
    return container;
  }

  /** One request; the status and body as they came. Throws PlexError when no answer came. */
  private async send(
    method: 'GET' | 'PUT',
    path: string,
    opts: { signal?: AbortSignal | undefined; auth?: boolean },
  ): Promise<{ status: number; text: string; label: string }> {
    const auth = opts.auth ?? true;
    if (auth && this.options.token === undefined) {
      throw new PlexError('unauthorized', 'PLEX_TOKEN is not set, so this Plex call cannot be made');
    }
    const url = new URL(path, `${this.options.baseUrl}/`);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-plex-client-identifier': this.options.clientIdentifier,
      'x-plex-product': PRODUCT,
      'x-plex-device-name': PRODUCT,
    };
    if (auth && this.options.token !== undefined) headers['x-plex-token'] = this.options.token;
    const label = `${method} ${url.pathname}`;
    const response = await httpRequest({
      service: 'Plex',
      method,
      url,
      headers,
      timeoutMs: this.options.timeoutMs,
      maxBodyBytes: this.maxBodyBytes,
      signal: opts.signal,
      dispatcher: this.dispatcher,
      label,
      fail: (kind, message, status, options) => new PlexError(kind, message, status, options),
    });
    return { status: response.status, text: response.text, label };
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plex sends booleans as true/false, 1/0 or "1"/"0" depending on endpoint and version. */
export function parseBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true') return true;
  if (value === 0 || value === '0' || value === 'false') return false;
  return undefined;
}
