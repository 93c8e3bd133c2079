// Before undici: it reads globalThis.Headers as it loads (see the module).
import '../../kernel/web-globals.js';
import { Agent, type Dispatcher } from 'undici';
import * as v from 'valibot';
import { ServiceError, type ServiceFailure } from '../../kernel/errors.js';
import { type HttpResponse, httpRequest, parseJsonBody } from '../../kernel/http-request.js';
import {
  type AccountDevice,
  type AccountSecurity,
  parseAccount,
  parseDevices,
  parseSharedUsers,
  type SharedUser,
} from './plex-tv-account.js';
import {
  ConnectionSchema,
  DownloadsSchema,
  PinSchema,
  type PublishedConnection,
  ResourcesSchema,
  UserSchema,
} from './plex-tv-schemas.js';

/** A plex.tv failure with a message safe to print (never a token, never a body dump). */
export class PlexTvError extends ServiceError {
  override readonly name: string = 'PlexTvError';
  constructor(kind: ServiceFailure, message: string, status?: number, options?: ErrorOptions) {
    super('plex.tv', kind, message, status, options);
  }
}

/** plex.tv no longer knows the sign-in PIN (404/410): the user has to start again. */
export class PinExpiredError extends PlexTvError {
  override readonly name = 'PinExpiredError';
  constructor(status: number) {
    super('refused', 'the sign-in PIN expired', status);
  }
}

/** The platform has no entry in the downloads feed: said, never guessed as Linux. */
export class UnknownFeedPlatformError extends PlexTvError {
  override readonly name = 'UnknownFeedPlatformError';
  constructor(readonly platform: string) {
    super('malformed', `plex.tv's downloads feed has no entry for platform "${platform.slice(0, 40)}"`);
  }
}

/**
 * The downloads feed names a platform differently from `GET /`'s `platform` in one known case;
 * everything else uses the same key, under `computer` (Windows, Linux, FreeBSD, ...) or `nas`
 * (Synology, QNAP, ...). Mapping and lookup order as Tautulli does it: plexpy/common.py
 * `PMS_PLATFORM_NAME_OVERRIDES = {'MacOSX': 'Mac'}`, plexpy/plextv.py `get_plex_updates`
 * (`computer.get(platform) or nas.get(platform)`). NAS keys: martinorob/plexupdate plexupdate.sh
 * reads `.nas.Synology.version`.
 */
const FEED_PLATFORM_KEYS: Readonly<Record<string, string>> = { MacOSX: 'Mac' };

/** The feed key `GET /`'s platform is listed under. */
export function feedPlatformKey(platform: string): string {
  return FEED_PLATFORM_KEYS[platform] ?? platform;
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
  /** The owner's token, for `resources`; sent as a header, never in a URL. */
  readonly token?: string | undefined;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

const PRODUCT = 'plex-warden';
/** The downloads feed lists every platform's releases; resources grow with shared servers. */
const MAX_BODY = 2 * 1024 * 1024;

/**
 * Every plex.tv call plex-warden makes: the PIN sign-in flow (python-plexapi's MyPlexPinLogin,
 * Plex's "Authenticating with Plex" guide), a token check, the public downloads feed and the
 * account's resources (what plex.tv publishes about this server).
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

  /** The X-Plex-Client-Identifier this bot signs in with: its own entry in the account's devices. */
  get clientIdentifier(): string {
    return this.options.clientIdentifier;
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
    const response = await this.call('POST', '/api/v2/pins?strong=true', { signal });
    if (response.status !== 200 && response.status !== 201) {
      throw new PlexTvError(
        'http-status',
        `plex.tv refused to create a sign-in PIN (HTTP ${response.status})`,
        response.status,
      );
    }
    return toPin(this.json(response, PinSchema), Date.now());
  }

  /** Reads the PIN again; throws PinExpiredError when plex.tv no longer knows it. */
  async checkPin(id: number, signal?: AbortSignal): Promise<PlexPin> {
    const response = await this.call('GET', `/api/v2/pins/${id}`, { signal });
    if (response.status === 404 || response.status === 410) throw new PinExpiredError(response.status);
    if (response.status !== 200)
      throw new PlexTvError(
        'http-status',
        `plex.tv answered HTTP ${response.status} for the PIN`,
        response.status,
      );
    return toPin(this.json(response, PinSchema), Date.now());
  }

  /**
   * `GET /api/v2/user` with a token: 200 = a working plex.tv account token, 401 = rejected,
   * 498 = an expired short-lived token. Returns the status and the username when known.
   */
  async user(
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ status: number; username?: string }> {
    const response = await this.call(
      'GET',
      '/api/v2/user',
      token === undefined ? { signal } : { signal, token },
    );
    if (response.status !== 200 || response.text.trim() === '') return { status: response.status };
    const username = this.json(response, UserSchema).username;
    return typeof username === 'string' ? { status: response.status, username } : { status: response.status };
  }

  /**
   * The newest public Plex Media Server version for a platform, from the downloads feed
   * (`computer.<Key>.version` or `nas.<Key>.version`, e.g. `1.43.2.10687-563d026ea`); throws
   * UnknownFeedPlatformError when the platform is not listed.
   */
  async latestVersion(platform: string, signal?: AbortSignal): Promise<string> {
    const response = await this.call('GET', '/api/downloads/5.json', { signal });
    if (response.status !== 200) {
      throw new PlexTvError(
        'http-status',
        `plex.tv downloads feed answered HTTP ${response.status}`,
        response.status,
      );
    }
    const { computer, nas } = this.json(response, DownloadsSchema);
    const key = feedPlatformKey(platform);
    const entry = computer[key] ?? nas[key];
    if (!entry) throw new UnknownFeedPlatformError(platform);
    const version = entry.version;
    if (typeof version !== 'string' || !/^\d+(\.\d+){3}/.test(version)) {
      throw new PlexTvError('malformed', 'plex.tv downloads feed has no version for this platform');
    }
    return version;
  }

  /**
   * What plex.tv tells clients about one server (`/api/v2/resources`, the owner's token): the
   * connections of the resource whose clientIdentifier is its machineIdentifier. Undefined when
   * the server is not in the list.
   */
  async publishedConnections(
    machineIdentifier: string,
    signal?: AbortSignal,
  ): Promise<PublishedConnection[] | undefined> {
    const token = this.options.token;
    const response = await this.call(
      'GET',
      '/api/v2/resources?includeHttps=1&includeRelay=1',
      token === undefined ? { signal } : { signal, token },
    );
    if (response.status === 401 || response.status === 498) {
      throw new PlexTvError(
        'unauthorized',
        `plex.tv resources answered ${response.status}: token not accepted`,
        response.status,
      );
    }
    if (response.status !== 200) {
      throw new PlexTvError(
        'http-status',
        `plex.tv resources answered HTTP ${response.status}`,
        response.status,
      );
    }
    const ours = this.json(response, ResourcesSchema).find((r) => r.clientIdentifier === machineIdentifier);
    if (!ours) return undefined;
    // One odd connection must not hide the others: skip what does not parse.
    return (ours.connections ?? []).flatMap((c) => {
      const parsed = v.safeParse(ConnectionSchema, c);
      return parsed.success ? [parsed.output] : [];
    });
  }

  private json<const S extends v.GenericSchema>(response: HttpResponse, schema: S): v.InferOutput<S> {
    return parseJsonBody(
      response,
      schema,
      (message) => new PlexTvError('malformed', message, response.status),
    );
  }

  /** The owner's account security (`GET /api/v2/user`, the owner's token). */
  async account(signal?: AbortSignal): Promise<AccountSecurity> {
    const response = await this.owned('GET', '/api/v2/user', 'plex.tv account', signal);
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw new PlexTvError('malformed', `${response.label} answered something that is not JSON`, 200);
    }
    return parseAccount(json, (problem) => this.malformed(response, problem));
  }

  /**
   * Whether the token's account owns the server (`owned` of its `/api/v2/resources` entry, as
   * python-plexapi's MyPlexResource reads it): the account checks and actions need the owner.
   */
  async ownsServer(machineIdentifier: string, signal?: AbortSignal): Promise<boolean> {
    const response = await this.owned(
      'GET',
      '/api/v2/resources?includeHttps=1&includeRelay=1',
      'plex.tv resources',
      signal,
    );
    const ours = this.json(response, ResourcesSchema).find((r) => r.clientIdentifier === machineIdentifier);
    const owned = ours?.owned;
    return owned === true || owned === 1 || owned === '1';
  }

  /** Every device signed in to the account (`GET /devices.xml`, XML), tokens dropped by the parser. */
  async devices(signal?: AbortSignal): Promise<AccountDevice[]> {
    const response = await this.owned('GET', '/devices.xml', 'plex.tv devices', signal, 'application/xml');
    return parseDevices(response.text, (problem) => this.malformed(response, problem));
  }

  /** Signs a device out of the account (`DELETE /devices/{id}.xml`); returns plex.tv's status. */
  async signOutDevice(id: string, signal?: AbortSignal): Promise<number> {
    if (!/^\d{1,15}$/.test(id)) throw new PlexTvError('refused', 'not a plex.tv device id');
    const response = await this.owned('DELETE', `/devices/${id}.xml`, 'plex.tv sign-out', signal);
    return response.status;
  }

  /** Friends and home users with their server shares (`GET /api/users`, XML). */
  async sharedUsers(signal?: AbortSignal): Promise<SharedUser[]> {
    const response = await this.owned('GET', '/api/users', 'plex.tv users', signal, 'application/xml');
    return parseSharedUsers(response.text, (problem) => this.malformed(response, problem));
  }

  /**
   * Removes a user's access: a friend with `DELETE /api/v2/sharings/{id}` (MyPlexAccount
   * FRIENDUPDATE, removeFriend), a home user with `DELETE /api/home/users/{id}` (HOMEUSER,
   * removeHomeUser). Returns plex.tv's status.
   */
  async removeShare(user: { id: string; home: boolean }, signal?: AbortSignal): Promise<number> {
    if (!/^\d{1,15}$/.test(user.id)) throw new PlexTvError('refused', 'not a plex.tv user id');
    const path = user.home ? `/api/home/users/${user.id}` : `/api/v2/sharings/${user.id}`;
    const response = await this.owned('DELETE', path, 'plex.tv share removal', signal);
    return response.status;
  }

  /** A call with the owner's token: no token, 401/498 and other non-2xx are PlexTvErrors. */
  private async owned(
    method: 'GET' | 'DELETE',
    path: string,
    what: string,
    signal: AbortSignal | undefined,
    accept?: string,
  ): Promise<HttpResponse> {
    const token = this.options.token;
    if (token === undefined) throw new PlexTvError('unauthorized', `${what} needs the owner's PLEX_TOKEN`);
    const response = await this.call(method, path, { signal, token, ...(accept ? { accept } : {}) });
    if (response.status === 401 || response.status === 498) {
      throw new PlexTvError(
        'unauthorized',
        `${what} answered ${response.status}: token not accepted`,
        response.status,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new PlexTvError('http-status', `${what} answered HTTP ${response.status}`, response.status);
    }
    return response;
  }

  private malformed(response: HttpResponse, problem: string): PlexTvError {
    return new PlexTvError('malformed', `${response.label} answered an unexpected shape (${problem})`, 200);
  }

  private async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: { signal?: AbortSignal | undefined; token?: string; accept?: string },
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: opts.accept ?? 'application/json',
      'x-plex-client-identifier': this.options.clientIdentifier,
      'x-plex-product': PRODUCT,
      'x-plex-device-name': PRODUCT,
    };
    if (opts.token !== undefined) headers['x-plex-token'] = opts.token;
    return httpRequest({
      service: 'plex.tv',
      method,
      url: new URL(path, `${this.options.baseUrl}/`),
      headers,
      timeoutMs: this.options.timeoutMs,
      maxBodyBytes: MAX_BODY,
      signal: opts.signal,
      dispatcher: this.dispatcher,
      fail: (kind, message, status, options) => new PlexTvError(kind, message, status, options),
    });
  }
}

function toPin(body: v.InferOutput<typeof PinSchema>, now: number): PlexPin {
  const at = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
  const inSeconds = body.expiresIn ?? Number.NaN;
  // expiresIn is relative, so a skewed local clock does not matter; the documented default is 900 s.
  const expiresAt =
    Number.isFinite(inSeconds) && inSeconds > 0
      ? now + inSeconds * 1000
      : Number.isFinite(at)
        ? at
        : now + 900_000;
  const token = body.authToken;
  return {
    id: body.id,
    code: body.code,
    expiresAt,
    authToken: typeof token === 'string' && token.length > 0 ? token : undefined,
  };
}

export type { PublishedConnection } from './plex-tv-schemas.js';
