import { queryStart } from './log-event.js';

/**
 * Requests Plex clients make in ordinary use that can be answered 401 or 404 without anything
 * being wrong: discovery before a token is sent, token refresh, timeline and progress reports
 * from a client whose token just rotated, thumbnails requested with an expired token, live
 * notification sockets reconnecting. A reverse-proxy jail that bans on any Plex 401 bans family
 * members (linuxserver/docker-swag#202: its nginx-unauthorized jail banned valid Plex users for
 * exactly this); mature setups exclude these paths or raise thresholds, and we do both. No
 * public fail2ban or CrowdSec collection for the Plex log itself was found, so the list below
 * comes from how Plex clients behave and is tested against a playing client. It applies to
 * access logs of proxies in front of Plex too (nginx, Traefik, Caddy, NPM), as CrowdSec's
 * crowdsecurity/plex-allowlist does for every HTTP log.
 *
 * Matching is on the path only (the query is ignored), by exact path or by prefix.
 */
export interface RoutinePlexRequest {
  readonly path: string;
  readonly match: 'exact' | 'prefix';
  readonly why: string;
  /**
   * Plex's own API namespaces (`/:/`, `/library/`, transcoders, ...): allow-listed on the access
   * log of a proxy too, where the site behind it is unknown. Generic paths (`/`, `/web/`,
   * `/favicon.ico`) are not: a 401 on `/` of another site is a failed Basic login.
   */
  readonly proxy?: boolean;
}

export const ROUTINE_PLEX_REQUESTS = [
  { path: '/', match: 'exact', why: 'reachability probe every client sends first' },
  { path: '/identity', match: 'exact', why: 'discovery: which server answers, before any token' },
  { path: '/:/timeline', match: 'prefix', proxy: true, why: 'playback position reports every few seconds' },
  { path: '/:/progress', match: 'prefix', proxy: true, why: 'watched-progress updates' },
  { path: '/:/scrobble', match: 'prefix', proxy: true, why: 'mark as watched' },
  {
    path: '/:/eventsource/notifications',
    match: 'prefix',
    proxy: true,
    why: 'live notifications (server-sent events)',
  },
  {
    path: '/:/websockets/notifications',
    match: 'prefix',
    proxy: true,
    why: 'live notifications (websocket reconnects)',
  },
  {
    path: '/:/websocket/notifications',
    match: 'prefix',
    proxy: true,
    why: 'live notifications (older clients)',
  },
  {
    path: '/status/sessions',
    match: 'prefix',
    proxy: true,
    why: 'now-playing polls (clients, Tautulli, dashboards)',
  },
  { path: '/library/sections', match: 'prefix', proxy: true, why: 'library polls from home screens' },
  { path: '/library/onDeck', match: 'prefix', proxy: true, why: 'home screen' },
  { path: '/library/recentlyAdded', match: 'prefix', proxy: true, why: 'home screen' },
  { path: '/hubs', match: 'prefix', proxy: true, why: 'home screen and search hubs' },
  { path: '/media/providers', match: 'prefix', proxy: true, why: 'client start-up: what this server offers' },
  {
    path: '/photo/:/transcode',
    match: 'prefix',
    proxy: true,
    why: 'poster and thumbnail resizing, often with an expired token',
  },
  // CrowdSec's crowdsecurity/plex-allowlist (hub parsers/s02-enrich) allow-lists these on every
  // HTTP access log, not only Plex's: /video/:/transcode/, /photo/:/transcode/, /:/timeline,
  // /library/metadata/<n>, /status/sessions.
  {
    path: '/video/:/transcode/',
    match: 'prefix',
    proxy: true,
    why: 'transcode sessions, segments and keep-alives',
  },
  {
    path: '/library/metadata',
    match: 'prefix',
    proxy: true,
    why: 'item details and artwork, often with an expired token',
  },
  { path: '/log', match: 'exact', proxy: true, why: 'clients (Cast) POST their own logs' },
  { path: '/security/token', match: 'prefix', proxy: true, why: 'token exchange and refresh' },
  { path: '/security/resources', match: 'prefix', proxy: true, why: 'connection discovery' },
  { path: '/myplex/account', match: 'exact', proxy: true, why: 'sign-in state checks' },
  { path: '/servers', match: 'exact', why: 'legacy discovery' },
  { path: '/clients', match: 'exact', why: 'legacy player discovery' },
  { path: '/playQueues', match: 'prefix', proxy: true, why: 'play queue refresh after a token rotation' },
  { path: '/activities', match: 'exact', why: 'background activity polls' },
  { path: '/updater/status', match: 'exact', why: 'update checks by the web app' },
  { path: '/favicon.ico', match: 'exact', why: 'browsers ask for it on every visit' },
  { path: '/web/', match: 'prefix', why: 'the web app itself (static files)' },
] as const satisfies readonly RoutinePlexRequest[];

/** Paths Plex answers 200 without a token: a 200 there does not mean anyone "got in". */
export const PUBLIC_PLEX_PATHS = [
  { path: '/identity', match: 'exact', why: 'unauthenticated by design' },
  { path: '/web/', match: 'prefix', why: 'static files of the web app' },
  { path: '/web', match: 'exact', why: 'web app redirect' },
  { path: '/favicon.ico', match: 'exact', why: 'static' },
  { path: '/robots.txt', match: 'exact', why: 'static' },
] as const satisfies readonly RoutinePlexRequest[];

const NONE: readonly string[] = [];

/** Compiled matcher over `text[start, end)` (the query, if any, is ignored); no strings made. */
export class PathMatcher {
  private readonly exact: readonly string[];
  /** Prefixes by the char after the leading slash: one or two candidates per request. */
  private readonly prefixes = new Map<number, string[]>();

  constructor(entries: readonly RoutinePlexRequest[]) {
    this.exact = entries.filter((e) => e.match === 'exact').map((e) => e.path);
    for (const e of entries) {
      if (e.match !== 'prefix') continue;
      const c = e.path.charCodeAt(1);
      this.prefixes.set(c, [...(this.prefixes.get(c) ?? []), e.path]);
    }
  }

  matches(text: string, start: number, end: number): boolean {
    const stop = queryStart(text, start, end);
    for (const prefix of this.prefixes.get(text.charCodeAt(start + 1)) ?? NONE) {
      if (stop - start < prefix.length || !text.startsWith(prefix, start)) continue;
      // `/hubs` covers `/hubs/search` but not `/hubsfoo`.
      const next = start + prefix.length;
      if (prefix.endsWith('/') || next === stop || text.charCodeAt(next) === 47) return true;
    }
    // Compared in place: cutting the path out would allocate on most Plex lines.
    const length = stop - start;
    for (const path of this.exact) {
      if (path.length === length && text.startsWith(path, start)) return true;
    }
    return false;
  }
}

export const routinePlexRequests = new PathMatcher(ROUTINE_PLEX_REQUESTS);
/** The part of the list that is Plex's alone, for access logs of proxies in front of Plex. */
export const routinePlexProxyRequests = new PathMatcher(
  ROUTINE_PLEX_REQUESTS.filter((e: RoutinePlexRequest) => e.proxy === true),
);
export const publicPlexPaths = new PathMatcher(PUBLIC_PLEX_PATHS);
