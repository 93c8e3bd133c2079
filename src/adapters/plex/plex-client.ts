import { Agent, type Dispatcher, request } from 'undici';
import { displayUrl } from '../../kernel/display-url.js';
import { classifyRequestFailure, readBodyLimited } from '../../kernel/http-body.js';
import { plexDirectLookup } from './plex-direct.js';

export type PlexErrorKind = 'unreachable' | 'timeout' | 'unauthorized' | 'http' | 'bad-response';

/** Every failure of a Plex call, with a message safe to show (no token, no body dump). */
export class PlexError extends Error {
  override readonly name = 'PlexError';
  constructor(
    readonly kind: PlexErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
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
      throw new PlexError('bad-response', 'GET /identity did not include machineIdentifier and version');
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

  private async call(
    method: 'GET' | 'PUT',
    path: string,
    opts: { signal?: AbortSignal | undefined; auth?: boolean },
  ): Promise<Json> {
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
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const label = `${method} ${url.pathname}`;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method,
        headers,
        signal,
        dispatcher: this.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (error) {
      throw translateError(error, label, this.options.baseUrl, this.options.timeoutMs, signal, opts.signal);
    }
    let text: string;
    try {
      text = await readBodyLimited(
        response.body,
        this.maxBodyBytes,
        () => new PlexError('bad-response', `response larger than ${this.maxBodyBytes} bytes`),
      );
    } catch (error) {
      throw translateError(error, label, this.options.baseUrl, this.options.timeoutMs, signal, opts.signal);
    }
    const { statusCode } = response;
    if (statusCode === 401 || statusCode === 403) {
      throw new PlexError(
        'unauthorized',
        `${label} answered ${statusCode}: the token was not accepted`,
        statusCode,
      );
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw new PlexError('http', `${label} answered HTTP ${statusCode}`, statusCode);
    }
    if (text.trim() === '') return {};
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const kind = text.trimStart().startsWith('<') ? 'XML or HTML' : 'something that is not JSON';
      throw new PlexError(
        'bad-response',
        `${label} answered ${kind}; is PLEX_URL pointing at a Plex Media Server?`,
        statusCode,
      );
    }
    if (!isObject(body))
      throw new PlexError('bad-response', `${label} answered JSON that is not an object`, statusCode);
    const container = body.MediaContainer ?? body.MyPlex;
    if (!isObject(container))
      throw new PlexError('bad-response', `${label} answered JSON without a MediaContainer`, statusCode);
    return container;
  }
}

function translateError(
  error: unknown,
  label: string,
  baseUrl: string,
  timeoutMs: number,
  signal: AbortSignal,
  outer?: AbortSignal,
): PlexError {
  if (error instanceof PlexError) return error;
  if (outer?.aborted) return new PlexError('timeout', `${label} was stopped before it finished`);
  const { timedOut, code } = classifyRequestFailure(error, signal);
  if (timedOut)
    return new PlexError(
      'timeout',
      `${label} to ${displayUrl(baseUrl)} got no answer within ${timeoutMs} ms`,
    );
  const reason = code ?? (error instanceof Error ? error.name : 'error');
  return new PlexError('unreachable', `${label} to ${displayUrl(baseUrl)} failed (${reason})`);
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
