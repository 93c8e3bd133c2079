import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** A Plex server's observable state; tests change it between scans. Shapes follow plex-reference.md. */
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

  constructor(state: Partial<FakePlexState> = {}) {
    this.state = { ...securePlexState(), ...state };
  }

  start(): Promise<string> {
    return this.server.start((req, res) => this.handle(req, res));
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
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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
