import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http-server.js';

export interface RecordedPlexTvRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly clientIdentifier: string | undefined;
  readonly product: string | undefined;
  readonly token: string | undefined;
}

interface Pin {
  id: number;
  code: string;
  clientIdentifier: string;
  createdAt: number;
  expiresIn: number;
  authToken: string | null;
  /** Polls to answer before the sign-in "happens". */
  pollsUntilSignedIn: number;
}

/**
 * A loopback plex.tv for the PIN sign-in flow and the token check, with the response shapes of
 * the public API docs (`POST /api/v2/pins` → 201, `GET /api/v2/pins/{id}` → 200, 404 once gone).
 */
export class FakePlexTv {
  readonly requests: RecordedPlexTvRequest[] = [];
  readonly pins = new Map<number, Pin>();
  /** normal; hang (never answer); garbage (not JSON); down (503 for everything). */
  mode: 'normal' | 'hang' | 'garbage' | 'down' = 'normal';
  /** The token a PIN gets once "signed in", and the one /api/v2/user accepts. */
  accountToken = 'plextv-account-token-XYZ123456';
  /** How many polls answer "not yet" before the token appears; Infinity = never. */
  pollsUntilSignedIn = 2;
  /** Lifetime of new PINs in seconds; 0 makes them expire (404) immediately. */
  pinLifetimeSeconds = 900;
  private nextId = 1_272_322_473;
  private readonly server = new LoopbackHttpServer('fake plex.tv');

  start(): Promise<string> {
    return this.server.start((req, res) => this.handle(req, res));
  }

  get url(): string {
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const header = (name: string) => req.headers[name] as string | undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      clientIdentifier: header('x-plex-client-identifier'),
      product: header('x-plex-product'),
      token: header('x-plex-token'),
    });
    if (this.mode === 'hang') return;
    if (this.mode === 'down') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
      return;
    }
    if (this.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": 12, "code": [oops');
      return;
    }
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const now = Date.now();
    if (req.method === 'POST' && url.pathname === '/api/v2/pins') {
      const clientIdentifier = header('x-plex-client-identifier');
      if (!clientIdentifier) {
        json(400, { errors: [{ code: 1000, message: 'X-Plex-Client-Identifier is missing' }] });
        return;
      }
      const pin: Pin = {
        id: this.nextId++,
        code: url.searchParams.get('strong') === 'true' ? 'x7k2m9q4p1w8z3r6t5y0u2v9c' : 'AB12',
        clientIdentifier,
        createdAt: now,
        expiresIn: this.pinLifetimeSeconds,
        authToken: null,
        pollsUntilSignedIn: this.pollsUntilSignedIn,
      };
      this.pins.set(pin.id, pin);
      json(201, this.pinJson(pin, now));
      return;
    }
    const pinMatch = /^\/api\/v2\/pins\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && pinMatch) {
      const pin = this.pins.get(Number(pinMatch[1]));
      if (!pin || now >= pin.createdAt + pin.expiresIn * 1000) {
        json(404, { errors: [{ code: 1020, message: 'Code not found or expired' }] });
        return;
      }
      if (pin.authToken === null) {
        if (pin.pollsUntilSignedIn <= 0) pin.authToken = this.accountToken;
        else pin.pollsUntilSignedIn -= 1;
      }
      json(200, this.pinJson(pin, now));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/v2/user') {
      if (header('x-plex-token') === this.accountToken)
        json(200, { id: 1, username: 'owner', title: 'owner' });
      else json(401, { errors: [{ code: 1001, message: 'User could not be authenticated' }] });
      return;
    }
    json(404, { errors: [{ code: 1002, message: 'Not found' }] });
  }

  private pinJson(pin: Pin, now: number): Record<string, unknown> {
    const expiresAt = pin.createdAt + pin.expiresIn * 1000;
    return {
      id: pin.id,
      code: pin.code,
      product: 'plex-warden',
      trusted: false,
      qr: `https://plex.tv/api/v2/pins/qr/${pin.code}`,
      clientIdentifier: pin.clientIdentifier,
      location: { code: 'US', country: 'United States' },
      expiresIn: Math.max(0, Math.round((expiresAt - now) / 1000)),
      createdAt: new Date(pin.createdAt).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      authToken: pin.authToken,
      newRegistration: null,
    };
  }
}

/** A device signed in to the account, as `devices.xml` lists it (times in epoch seconds). */
export interface FakeAccountDevice {
  id: number;
  name: string;
  product: string;
  productVersion?: string;
  platform: string;
  platformVersion?: string;
  device?: string;
  clientIdentifier: string;
  provides?: string;
  publicAddress: string;
  createdAt: number;
  lastSeenAt: number;
  /** The device's own account token: the fake sends it like plex.tv does; the bot must drop it. */
  token: string;
  connections?: string[];
}

/** A `User` of `/api/users` with its `Server` shares. */
export interface FakeSharedUser {
  id: number;
  title: string;
  username: string;
  email?: string;
  home: boolean;
  restricted: boolean;
  allowSync: boolean;
  allowCameraUpload: boolean;
  allowChannels: boolean;
  servers: {
    id: number;
    serverId: number;
    machineIdentifier: string;
    name: string;
    lastSeenAt: number;
    numLibraries: number;
    allLibraries: boolean;
    owned: boolean;
    pending: boolean;
  }[];
}

export interface RecordedAccountChange {
  readonly method: string;
  readonly path: string;
}

const xmlEscape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attrs = (record: Record<string, string | number | boolean | undefined>) =>
  Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}="${xmlEscape(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}"`,
    )
    .join(' ');

/**
 * The owner's plex.tv account: `GET /api/v2/user`, `GET /devices.xml`, `DELETE /devices/{id}.xml`,
 * `GET /api/users`, `DELETE /api/v2/sharings/{id}` and `DELETE /api/home/users/{id}`, in the shapes
 * python-plexapi reads (pkkid/python-plexapi plexapi/myplex.py: MyPlexAccount, MyPlexDevice,
 * MyPlexUser, MyPlexServerShare). `devices.xml` and `/api/users` answer XML whatever Accept says
 * (MyPlexAccount.query parses them with ElementTree); `/api/v2/user` answers JSON with
 * Accept: application/json and XML without, like the rest of plex.tv's v2 API. Every one of them
 * refuses any token but the owner's with 401, as plex.tv refuses an unknown token.
 */
export class FakePlexTvAccount {
  ownerToken = 'fake-plex-token-0123456789';
  twoFactorEnabled = true;
  backupCodesCreated = true;
  /** Replaces the `/api/v2/user` JSON (an answer plex.tv might change), when set. */
  userBody: unknown;
  devices: FakeAccountDevice[] = [];
  users: FakeSharedUser[] = [];
  /** DELETEs that changed the account, in order. */
  readonly changes: RecordedAccountChange[] = [];
  /** Every token presented to the account endpoints (to prove only the owner's is sent). */
  readonly tokensSeen: (string | undefined)[] = [];

  /** Answers the account endpoints; false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const ours =
      path === '/api/v2/user' ||
      path === '/devices.xml' ||
      path === '/api/users' ||
      path === '/api/users/' ||
      /^\/devices\/\d+\.xml$/.test(path) ||
      /^\/api\/v2\/sharings\/\d+$/.test(path) ||
      /^\/api\/home\/users\/\d+$/.test(path);
    if (!ours) return false;
    const token = req.headers['x-plex-token'] as string | undefined;
    this.tokensSeen.push(token);
    const wantsJson = String(req.headers.accept ?? '').includes('application/json');
    if (token !== this.ownerToken) {
      // plex.tv's answer to an unknown token (python-plexapi raises Unauthorized on it).
      if (wantsJson) json(res, 401, { errors: [{ code: 1001, message: 'User could not be authenticated' }] });
      else xml(res, 401, '<errors><error code="1001" message="User could not be authenticated"/></errors>');
      return true;
    }
    if (method === 'GET' && path === '/api/v2/user') {
      const user = {
        id: 1,
        uuid: 'a1b2c3d4e5f60718',
        username: 'owner',
        title: 'owner',
        email: 'owner@example.com',
        friendlyName: 'Owner',
        locale: null,
        confirmed: true,
        joinedAt: 1_500_000_000,
        emailOnlyAuth: false,
        hasPassword: true,
        protected: false,
        thumb: 'https://plex.tv/users/a1b2c3d4e5f60718/avatar',
        authToken: this.ownerToken,
        mailingListStatus: 'unsubscribed',
        mailingListActive: false,
        scrobbleTypes: '',
        country: 'US',
        subscription: {
          active: false,
          subscribedAt: null,
          status: 'Inactive',
          paymentService: null,
          plan: null,
          features: [],
        },
        restricted: false,
        anonymous: null,
        home: true,
        guest: false,
        homeSize: 2,
        homeAdmin: true,
        maxHomeSize: 15,
        rememberExpiresAt: 1_900_000_000,
        profile: {
          autoSelectAudio: true,
          defaultAudioLanguage: 'en',
          defaultSubtitleLanguage: 'en',
          autoSelectSubtitle: 0,
          defaultSubtitleAccessibility: 0,
          defaultSubtitleForced: 0,
        },
        entitlements: [],
        roles: [],
        services: [],
        adsConsent: null,
        adsConsentSetAt: null,
        adsConsentReminderAt: null,
        experimentalFeatures: false,
        twoFactorEnabled: this.twoFactorEnabled,
        backupCodesCreated: this.backupCodesCreated,
      };
      if (wantsJson) json(res, 200, this.userBody ?? user);
      else
        xml(
          res,
          200,
          `<user ${attrs({ id: 1, username: 'owner', title: 'owner', hasPassword: true, homeAdmin: true, homeSize: 2, twoFactorEnabled: this.twoFactorEnabled, backupCodesCreated: this.backupCodesCreated, authToken: this.ownerToken })}/>`,
        );
      return true;
    }
    if (method === 'GET' && path === '/devices.xml') {
      const body = this.devices
        .map((d) => {
          const { connections = [], ...rest } = d;
          const children = connections.map((uri) => `<Connection uri="${xmlEscape(uri)}"/>`).join('');
          return `<Device ${attrs({ ...rest })}>${children}</Device>`;
        })
        .join('\n');
      xml(res, 200, `<MediaContainer publicAddress="198.51.100.20">\n${body}\n</MediaContainer>`);
      return true;
    }
    const deviceMatch = /^\/devices\/(\d+)\.xml$/.exec(path);
    if (method === 'DELETE' && deviceMatch) {
      const id = Number(deviceMatch[1]);
      const before = this.devices.length;
      this.devices = this.devices.filter((d) => d.id !== id);
      if (this.devices.length === before) {
        xml(res, 404, '<errors><error code="1002" message="Not found"/></errors>');
        return true;
      }
      this.changes.push({ method, path });
      res.writeHead(200, { 'content-type': 'application/xml' }).end();
      return true;
    }
    if (method === 'GET' && (path === '/api/users' || path === '/api/users/')) {
      const body = this.users
        .map((u) => {
          const { servers, ...rest } = u;
          const children = servers.map((s) => `<Server ${attrs(s)}/>`).join('');
          return `<User ${attrs({ ...rest, thumb: `https://plex.tv/users/${u.id}/avatar` })}>${children}</User>`;
        })
        .join('\n');
      xml(
        res,
        200,
        `<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex" machineIdentifier="f1e2d3c4b5a6978812345678901234567890abcd" totalSize="${this.users.length}" size="${this.users.length}">\n${body}\n</MediaContainer>`,
      );
      return true;
    }
    const shareMatch = /^\/api\/v2\/sharings\/(\d+)$/.exec(path) ?? /^\/api\/home\/users\/(\d+)$/.exec(path);
    if (method === 'DELETE' && shareMatch) {
      const id = Number(shareMatch[1]);
      const home = path.startsWith('/api/home/');
      const user = this.users.find((u) => u.id === id && u.home === home);
      if (!user) {
        json(res, 404, { errors: [{ code: 1002, message: 'Not found' }] });
        return true;
      }
      this.users = this.users.filter((u) => u !== user);
      this.changes.push({ method, path });
      res.writeHead(204).end();
      return true;
    }
    json(res, 405, { errors: [{ code: 1000, message: 'Method not allowed' }] });
    return true;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function xml(res: ServerResponse, status: number, body: string): void {
  res
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}
