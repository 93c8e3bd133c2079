import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakePlexTvAccount } from './fake-plex-tv.js';
import { LoopbackHttpServer } from './loopback-http-server.js';

export interface FakePlexTvFeedsState {
  /**
   * `computer.<Key>.version` of the downloads feed. Keys as the feed spells them: `Mac` for the
   * server that reports `MacOSX` (Tautulli plexpy/common.py PMS_PLATFORM_NAME_OVERRIDES).
   */
  versions: Record<string, string>;
  /** `nas.<Key>.version` (martinorob/plexupdate plexupdate.sh reads `.nas.Synology.version`). */
  nasVersions: Record<string, string>;
  /** `/api/v2/resources` answer (the owner's servers and their connections). */
  resources: unknown[];
  /** Token plex.tv accepts for resources. */
  token: string;
  mode: 'normal' | 'hang' | 'error';
}

export interface RecordedPlexTvFeedsRequest {
  readonly path: string;
  readonly query: Record<string, string>;
  readonly hadToken: boolean;
}

/**
 * A loopback plex.tv for the exposure checks: the public downloads feed and the account's
 * resources. (The sign-in PIN flow has its own fake, fake-plex-tv.ts, on the hardening branch.)
 */
export class FakePlexTvFeeds {
  readonly requests: RecordedPlexTvFeedsRequest[] = [];
  readonly state: FakePlexTvFeedsState;
  /** The owner's account (two-factor, devices, shares): the same fake plex.tv, one host. */
  readonly account = new FakePlexTvAccount();
  private readonly server = new LoopbackHttpServer('fake plex.tv');

  constructor(state: Partial<FakePlexTvFeedsState> = {}) {
    this.state = {
      versions: {
        Linux: '1.43.4.10910-0f1e2d3c4',
        Windows: '1.43.4.10910-0f1e2d3c4',
        Mac: '1.43.4.10910-0f1e2d3c4',
      },
      nasVersions: { Synology: '1.43.4.10910-0f1e2d3c4' },
      resources: [],
      token: 'fake-plex-token-0123456789',
      mode: 'normal',
      ...state,
    };
  }

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
    const token = req.headers['x-plex-token'];
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      hadToken: token !== undefined,
    });
    if (this.state.mode === 'hang') return;
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (this.state.mode === 'error') {
      json(503, { error: 'maintenance' });
      return;
    }
    if (this.account.handle(req, res, url)) return;
    if (url.pathname === '/api/downloads/5.json') {
      const entries = (versions: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(versions).map(([platform, version]) => [
            platform,
            { id: platform.toLowerCase(), name: platform, version, releases: [] },
          ]),
        );
      json(200, { computer: entries(this.state.versions), nas: entries(this.state.nasVersions) });
      return;
    }
    if (url.pathname === '/api/v2/resources') {
      if (token !== this.state.token)
        json(401, { errors: [{ code: 1001, message: 'User could not be authenticated' }] });
      else json(200, this.state.resources);
      return;
    }
    json(404, { error: 'not found' });
  }
}
