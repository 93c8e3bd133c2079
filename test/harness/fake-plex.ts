import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { LoopbackHttpServer } from './loopback-http-server.js';

export interface PlexSetting {
  id: string;
  value: string | number | boolean;
  type?: 'bool' | 'int' | 'text' | 'double';
  default?: string | number | boolean;
  hidden?: boolean;
  advanced?: boolean;
  group?: string;
}

/**
 * A Plex server's observable state; tests change it between scans. Where each shape comes from:
 * - `/` : home-assistant/core tests/components/plex/fixtures/plex_server_base.xml (attributes
 *   friendlyName, machineIdentifier, myPlex*, platform, platformVersion, version, updater, ...).
 * - `/:/prefs` : andrey-yantsen/plex-api.rs crates/plex-api/tests/mocks/server/prefs.json
 *   (`Setting[]` with id, label, summary, type, default, value, hidden, advanced, group,
 *   enumValues; JSON booleans and numbers).
 * - `/status/sessions` : home-assistant/core tests/components/plex/fixtures/session_base.xml
 *   (a LAN `Video` whose Player carries `remotePublicAddress`; `Session location`).
 * - `/devices` : https://www.plexopedia.com/plex-media-server/api/server/devices/ (no product).
 * - `/updater/status` : home-assistant/core tests/components/plex/fixtures/release_new_not_updatable.xml
 *   (`canInstall` on the container, `Release state="notify"`).
 * - JSON only with `Accept: application/json`, XML otherwise (python-plexapi and the
 *   home-assistant fixtures read XML; plex-api.rs records JSON with that header).
 */
export interface FakePlexState {
  token: string;
  identity: { machineIdentifier: string; version: string; claimed: boolean };
  root: Record<string, unknown>;
  prefs: PlexSetting[];
  myplexAccount: Record<string, unknown>;
  sessions: unknown[];
  devices: unknown[];
  accounts: unknown[];
  updaterReleases: unknown[];
  /** `/updater/status` container's `canInstall`; undefined = not sent. */
  updaterCanInstall: boolean | undefined;
  /**
   * false: the server's owner has no Plex Pass, so stopping a stream is refused (403). Killing
   * streams is Plex Pass only (blacktwin/JBOPS killstream/readme.md); the exact answer such a
   * server gives is not publicly recorded, 403 is this fake's choice.
   */
  plexPass: boolean;
  /** Stops asked for with `GET /status/sessions/terminate`, in order. */
  terminated: { sessionId: string; reason: string }[];
  /** Extra routes or overrides: path (without query) -> status and JSON body. */
  routes: Record<string, { status: number; body?: unknown; text?: string }>;
  /** Global behaviour: answer normally, never answer, answer garbage, or answer late. */
  mode: 'normal' | 'hang' | 'garbage' | 'html' | 'slow';
  slowMs: number;
}

export interface RecordedPlexRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  hadToken: boolean;
  clientIdentifier: string | undefined;
}

export function securePlexState(): FakePlexState {
  return {
    token: 'fake-plex-token-0123456789',
    identity: { machineIdentifier: 'a'.repeat(40), version: '1.43.4.10910-0f1e2d3c4', claimed: true },
    root: {
      friendlyName: 'Home Plex',
      version: '1.43.4.10910-0f1e2d3c4',
      platform: 'Linux',
      platformVersion: '20.04.1 LTS (Focal Fossa)',
      updater: true,
      myPlex: true,
      myPlexSigninState: 'ok',
      myPlexMappingState: 'unknown',
      myPlexSubscription: true,
      machineIdentifier: 'a'.repeat(40),
    },
    prefs: [
      { id: 'PublishServerOnPlexOnlineKey', value: false, type: 'bool', default: false },
      { id: 'ManualPortMappingMode', value: false, type: 'bool', default: false },
      { id: 'ManualPortMappingPort', value: 32400, type: 'int', default: 32400 },
      { id: 'LastAutomaticMappedPort', value: 0, type: 'int', default: 0 },
      { id: 'secureConnections', value: 0, type: 'int', default: 1 },
      { id: 'allowedNetworks', value: '', type: 'text', default: '' },
      { id: 'LanNetworksBandwidth', value: '192.168.1.0/24', type: 'text', default: '' },
      { id: 'TreatWanIpAsLocal', value: false, type: 'bool', default: false },
      { id: 'customConnections', value: '', type: 'text', default: '' },
      { id: 'RelayEnabled', value: false, type: 'bool', default: true },
      { id: 'GdmEnabled', value: true, type: 'bool', default: true },
      { id: 'DlnaEnabled', value: false, type: 'bool', default: false },
      { id: 'EnableIPv6', value: false, type: 'bool', default: false },
      { id: 'logDebug', value: true, type: 'bool', default: true },
      { id: 'WebHooksEnabled', value: true, type: 'bool', default: true },
      { id: 'ButlerUpdateChannel', value: 16, type: 'int', default: 16 },
      { id: 'PlexOnlineToken', value: 'secret-plex-online-token', type: 'text', hidden: true },
      { id: 'customCertificateKey', value: '', type: 'text', hidden: true },
    ],
    myplexAccount: {
      signInState: 'ok',
      mappingState: 'unknown',
      mappingError: '',
      publicAddress: '',
      publicPort: 0,
      privateAddress: '192.168.1.10',
      privatePort: 32400,
      subscriptionActive: true,
    },
    sessions: [],
    devices: [],
    accounts: [{ id: 1, name: 'owner' }],
    updaterReleases: [],
    updaterCanInstall: undefined,
    plexPass: true,
    terminated: [],
    routes: {},
    mode: 'normal',
    slowMs: 0,
  };
}

/** A loopback Plex Media Server that serves documented response shapes from a mutable state. */
export class FakePlex {
  readonly state: FakePlexState;
  readonly requests: RecordedPlexRequest[] = [];
  private readonly server = new LoopbackHttpServer('fake Plex');
  private hung: ServerResponse[] = [];
  /** Pongs are sent by hand below, so a socket can be made silent (`autoPong`, ws lib/websocket-server.js options). */
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private port = 0;
  /**
   * Open notification sockets, the X-Plex-Token / URL each one connected with, the pings it got,
   * and whether it went silent (see silence()).
   */
  readonly sockets: {
    ws: WebSocket;
    token: string | undefined;
    url: string;
    pings: number;
    silent: boolean;
  }[] = [];

  constructor(state: Partial<FakePlexState> = {}) {
    this.state = { ...securePlexState(), ...state };
  }

  /** Starts on a free port; after stop(), starts again on the same port (Plex coming back). */
  async start(): Promise<string> {
    const url = await this.server.start((req, res) => this.handle(req, res), {
      port: this.port,
      onUpgrade: (req, socket, head) => this.upgrade(req, socket, head),
    });
    this.port = this.server.port;
    return url;
  }

  /**
   * `/:/websockets/notifications` as Tautulli (plexpy/web_socket.py) and python-plexapi
   * (plexapi/alert.py) use it: token in the X-Plex-Token header; without a valid one Plex
   * refuses the upgrade with 401 like any other authenticated path.
   */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = req.headers['x-plex-token'] as string | undefined;
    if (
      url.pathname !== '/:/websockets/notifications' ||
      token !== this.state.token ||
      this.state.mode !== 'normal'
    ) {
      const status = url.pathname !== '/:/websockets/notifications' ? '404 Not Found' : '401 Unauthorized';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const entry = { ws, token, url: req.url ?? '', pings: 0, silent: false };
      this.sockets.push(entry);
      // Every ping is answered with a pong carrying its data (RFC 6455 §5.5.2/§5.5.3; Tautulli
      // plexpy/web_socket.py relies on Plex doing so), unless this socket went silent.
      ws.on('ping', (data) => {
        entry.pings += 1;
        if (!entry.silent) ws.pong(data);
      });
      ws.on('close', () => this.sockets.splice(this.sockets.indexOf(entry), 1));
    });
  }

  /**
   * The open sockets go half-open: the TCP connection stays up, but nothing is sent on them any
   * more, pongs included (a server that hung, or a NAT that dropped the connection's state).
   * Sockets opened afterwards behave normally.
   */
  silence(): void {
    for (const entry of this.sockets) entry.silent = true;
  }

  /** Sends `{"NotificationContainer": {...}}` to every open notification socket. */
  notify(container: Record<string, unknown>): void {
    const text = JSON.stringify({ NotificationContainer: { size: 1, ...container } });
    for (const { ws, silent } of this.sockets) if (!silent) ws.send(text);
  }

  /** A `playing` notification (Tautulli web_socket.py reads PlaySessionStateNotification[0]). */
  notifyPlaying(sessionKey: string, state = 'playing'): void {
    this.notify({
      type: 'playing',
      PlaySessionStateNotification: [
        { sessionKey, guid: '', ratingKey: '1', url: '', key: '/library/metadata/1', viewOffset: 0, state },
      ],
    });
  }

  /** A `reachability` notification (scttcper/plex src/alert.types.ts ReachabilityNotification). */
  notifyReachability(reachability: boolean): void {
    this.notify({ type: 'reachability', ReachabilityNotification: [{ reachability }] });
  }

  get url(): string {
    return this.server.url;
  }

  pref(id: string): PlexSetting | undefined {
    return this.state.prefs.find((p) => p.id === id);
  }

  setPref(id: string, value: PlexSetting['value']): void {
    const existing = this.pref(id);
    if (existing) existing.value = value;
    else this.state.prefs.push({ id, value });
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const { ws } of [...this.sockets]) ws.terminate();
    await this.server.stop();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = req.headers['x-plex-token'];
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      hadToken: token !== undefined,
      clientIdentifier: req.headers['x-plex-client-identifier'] as string | undefined,
    });
    const { mode } = this.state;
    if (mode === 'hang') {
      this.hung.push(res);
      return;
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"MediaContainer": [1, 2, oops');
      return;
    }
    if (mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>');
      return;
    }
    const respond = () => this.route(req, res, url, token === this.state.token);
    if (mode === 'slow') setTimeout(respond, this.state.slowMs);
    else respond();
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL, authorized: boolean): void {
    const wantsJson = /application\/json/i.test(req.headers.accept ?? '');
    const json = (status: number, body: unknown) => {
      if (wantsJson) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      else res.writeHead(status, { 'content-type': 'text/xml;charset=utf-8' }).end(toPlexXml(body));
    };
    const container = (body: Record<string, unknown>) => json(200, { MediaContainer: { size: 0, ...body } });
    const override = this.state.routes[url.pathname];
    if (override) {
      if (override.text !== undefined)
        res.writeHead(override.status, { 'content-type': 'text/plain' }).end(override.text);
      else json(override.status, override.body ?? {});
      return;
    }
    if (url.pathname === '/identity') {
      container({ ...this.state.identity });
      return;
    }
    if (!authorized) {
      // Plex answers 401 with a small HTML page, not JSON.
      res
        .writeHead(401, { 'content-type': 'text/html' })
        .end('<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
      return;
    }
    const method = req.method ?? 'GET';
    switch (`${method} ${url.pathname}`) {
      case 'GET /':
        container({ ...this.state.root });
        return;
      case 'GET /:/prefs':
        container({
          size: this.state.prefs.length,
          Setting: this.state.prefs.map((p) => ({
            label: p.id,
            summary: '',
            type: p.type ?? 'text',
            default: p.default ?? '',
            hidden: false,
            advanced: false,
            group: 'general',
            ...p,
          })),
        });
        return;
      case 'PUT /:/prefs': {
        for (const [id, value] of url.searchParams) {
          const pref = this.pref(id);
          if (!pref) {
            res.writeHead(400).end();
            return;
          }
          pref.value =
            pref.type === 'bool'
              ? value === '1' || value === 'true'
              : pref.type === 'int'
                ? Number(value)
                : value;
        }
        res.writeHead(200).end();
        return;
      }
      case 'GET /myplex/account':
        json(200, { MyPlex: { ...this.state.myplexAccount } });
        return;
      case 'GET /status/sessions':
        container({ size: this.state.sessions.length, Metadata: this.state.sessions });
        return;
      case 'GET /status/sessions/terminate': {
        // `GET /status/sessions/terminate?sessionId=<Session id>&reason=<text>`
        // (blacktwin/JBOPS killstream/kill_outsider_stream.py). The session ends and leaves
        // /status/sessions; an id that is not playing is 404, as for any unknown resource.
        if (!this.state.plexPass) {
          res.writeHead(403, { 'content-type': 'text/html' }).end('<html><body>403 Forbidden</body></html>');
          return;
        }
        const sessionId = url.searchParams.get('sessionId') ?? '';
        const index = this.state.sessions.findIndex((s) => sessionIdOf(s) === sessionId);
        if (sessionId === '' || index < 0) {
          res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
          return;
        }
        this.state.sessions.splice(index, 1);
        this.state.terminated.push({ sessionId, reason: url.searchParams.get('reason') ?? '' });
        res.writeHead(200).end();
        return;
      }
      case 'GET /devices':
        container({ size: this.state.devices.length, Device: this.state.devices });
        return;
      case 'GET /accounts':
        container({ size: this.state.accounts.length, Account: this.state.accounts });
        return;
      case 'PUT /updater/check':
        res.writeHead(200).end();
        return;
      case 'GET /updater/status':
        container({
          size: this.state.updaterReleases.length,
          ...(this.state.updaterCanInstall === undefined
            ? {}
            : { canInstall: this.state.updaterCanInstall ? '1' : '0' }),
          Release: this.state.updaterReleases,
        });
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
    }
  }
}

/** `Session.id` of a /status/sessions item (home-assistant/core session_base.xml `<Session id=...>`). */
function sessionIdOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const session = (item as { Session?: unknown }).Session;
  if (typeof session !== 'object' || session === null) return undefined;
  const id = (session as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One element: scalar fields become attributes (booleans as 1/0), objects and lists children. */
function element(name: string, value: Record<string, unknown>): string {
  const attrs: string[] = [];
  const children: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v)
        if (typeof item === 'object' && item !== null)
          children.push(element(key, item as Record<string, unknown>));
    } else if (typeof v === 'object') children.push(element(key, v as Record<string, unknown>));
    else attrs.push(` ${key}="${escapeXml(typeof v === 'boolean' ? (v ? '1' : '0') : String(v))}"`);
  }
  return children.length === 0
    ? `<${name}${attrs.join('')} />`
    : `<${name}${attrs.join('')}>\n${children.join('\n')}\n</${name}>`;
}

/** `{MediaContainer: {...}}` as Plex writes it without `Accept: application/json`. */
export function toPlexXml(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const [root, value] = Object.entries(body)[0] ?? [];
  if (root === undefined || typeof value !== 'object' || value === null) return '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value as Record<string, unknown>)}\n`;
}
