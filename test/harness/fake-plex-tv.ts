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
