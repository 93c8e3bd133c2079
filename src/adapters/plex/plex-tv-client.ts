import { Agent, type Dispatcher, request, errors as undiciErrors } from 'undici';
import { displayUrl } from '../../kernel/display-url.js';

export type PlexTvErrorKind = 'unreachable' | 'timeout' | 'http' | 'bad-response' | 'expired' | 'stopped';

/** A plex.tv failure with a message safe to print (never a token, never a body dump). */
export class PlexTvError extends Error {
  override readonly name = 'PlexTvError';
  constructor(
    readonly kind: PlexTvErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A sign-in PIN (`POST /api/v2/pins?strong=true`); `authToken` appears once the user signs in. */
export interface PlexPin {
  readonly id: number;
  readonly code: string;
  /** Epoch ms; plex.tv gives `expiresAt` (ISO) and `expiresIn` (seconds). */
  readonly expiresAt: number;
  readonly authToken: string | undefined;
}

export interface PlexTvClientOptions {
  readonly baseUrl: string;
  /** The installation's fixed X-Plex-Client-Identifier (the same one the Plex client sends). */
  readonly clientIdentifier: string;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

const PRODUCT = 'plex-warden';
const MAX_BODY = 256 * 1024;

/**
 * The few plex.tv calls plex-warden makes: the PIN sign-in flow (as python-plexapi's
 * MyPlexPinLogin and Plex's "Authenticating with Plex" guide describe it) and a token check.
 */
export class PlexTvClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: PlexTvClientOptions) {
    this.dispatcher =
      options.dispatcher ?? new Agent({ connectTimeout: options.timeoutMs, keepAliveTimeout: 5_000 });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The page where the owner signs in and approves this PIN. */
  authUrl(pin: PlexPin): string {
    const params = new URLSearchParams({
      clientID: this.options.clientIdentifier,
      code: pin.code,
      'context[device][product]': PRODUCT,
    });
    return `https://app.plex.tv/auth#?${params.toString()}`;
  }

  async createPin(signal?: AbortSignal): Promise<PlexPin> {
    const { status, body } = await this.call('POST', '/api/v2/pins?strong=true', { signal });
    if (status !== 200 && status !== 201) {
      throw new PlexTvError('http', `plex.tv refused to create a sign-in PIN (HTTP ${status})`, status);
    }
    return parsePin(body, Date.now());
  }

  /** Reads the PIN again; throws PlexTvError('expired') when plex.tv no longer knows it. */
  async checkPin(id: number, signal?: AbortSignal): Promise<PlexPin> {
    const { status, body } = await this.call('GET', `/api/v2/pins/${id}`, { signal });
    if (status === 404 || status === 410) throw new PlexTvError('expired', 'the sign-in PIN expired', status);
    if (status !== 200) throw new PlexTvError('http', `plex.tv answered HTTP ${status} for the PIN`, status);
    return parsePin(body, Date.now());
  }

  /**
   * `GET /api/v2/user` with a token: 200 = a working plex.tv account token, 401 = rejected,
   * 498 = an expired short-lived token. Returns the status and the username when known.
   */
  async user(
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ status: number; username?: string }> {
    const { status, body } = await this.call(
      'GET',
      '/api/v2/user',
      token === undefined ? { signal } : { signal, token },
    );
    const username =
      status === 200 && isObject(body) && typeof body.username === 'string' ? body.username : undefined;
    return username === undefined ? { status } : { status, username };
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    opts: { signal?: AbortSignal | undefined; token?: string },
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, `${this.options.baseUrl}/`);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-plex-client-identifier': this.options.clientIdentifier,
      'x-plex-product': PRODUCT,
      'x-plex-device-name': PRODUCT,
    };
    if (opts.token !== undefined) headers['x-plex-token'] = opts.token;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const label = `${method} ${url.pathname}`;
    try {
      const response = await request(url, {
        method,
        headers,
        signal,
        dispatcher: this.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) {
          response.body.destroy();
          throw new PlexTvError('bad-response', `${label}: plex.tv answered more than ${MAX_BODY} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const status = response.statusCode;
      if (status < 200 || status >= 300) return { status, body: undefined };
      try {
        return { status, body: text.trim() === '' ? undefined : (JSON.parse(text) as unknown) };
      } catch {
        throw new PlexTvError(
          'bad-response',
          `${label}: plex.tv answered something that is not JSON`,
          status,
        );
      }
    } catch (error) {
      if (error instanceof PlexTvError) throw error;
      if (opts.signal?.aborted) throw new PlexTvError('stopped', `${label} was stopped`);
      if (
        signal.aborted ||
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        error instanceof undiciErrors.ConnectTimeoutError
      ) {
        throw new PlexTvError(
          'timeout',
          `${label} to ${displayUrl(this.options.baseUrl)} got no answer within ${this.options.timeoutMs} ms`,
        );
      }
      const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      throw new PlexTvError(
        'unreachable',
        `${label} to ${displayUrl(this.options.baseUrl)} failed (${code ?? 'error'})`,
      );
    }
  }
}

function parsePin(body: unknown, now: number): PlexPin {
  if (!isObject(body)) throw new PlexTvError('bad-response', 'plex.tv answered a PIN that is not an object');
  const id = typeof body.id === 'number' ? body.id : Number(body.id);
  const code = body.code;
  if (!Number.isSafeInteger(id) || id <= 0 || typeof code !== 'string' || !/^[A-Za-z0-9]{4,64}$/.test(code)) {
    throw new PlexTvError('bad-response', 'plex.tv answered a PIN without a usable id and code');
  }
  const at = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
  const inSeconds = typeof body.expiresIn === 'number' ? body.expiresIn : Number.NaN;
  // expiresIn is relative, so a skewed local clock does not matter; the documented default is 900 s.
  const expiresAt =
    Number.isFinite(inSeconds) && inSeconds > 0
      ? now + inSeconds * 1000
      : Number.isFinite(at)
        ? at
        : now + 900_000;
  const token = body.authToken;
  return {
    id,
    code,
    expiresAt,
    authToken: typeof token === 'string' && token.length > 0 ? token : undefined,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
