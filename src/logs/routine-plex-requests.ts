import { queryStart } from './log-event.js';

/**
 * Requests Plex clients make in ordinary use that can be answered 401 or 404 without anything
 * being wrong: discovery before a token is sent, token refresh, timeline and progress reports
 * from a client whose token just rotated, thumbnails requested with an expired token, live
 * notification sockets reconnecting. A reverse-proxy jail that bans on any Plex 401 bans family
 * members (linuxserver/docker-swag#202: its nginx-unauthorized jail banned valid Plex users for
 * exactly this); mature setups exclude these paths or raise thresholds, and we do both. No
 * public fail2ban or CrowdSec collection for the Plex log itself was found, so the list below
 * comes from how Plex clients behave (plex-reference.md) and is tested against a playing client.
 *
 * Matching is on the path only (the query is ignored), by exact path or by prefix.
 */
export interface RoutinePlexRequest {
  readonly path: string;
  readonly match: 'exact' | 'prefix';
  readonly why: string;
}

export const ROUTINE_PLEX_REQUESTS = [
  { path: '/', match: 'exact', why: 'reachability probe every client sends first' },
  { path: '/identity', match: 'exact', why: 'discovery: which server answers, before any token' },
  { path: '/:/timeline', match: 'prefix', why: 'playback position reports every few seconds' },
  { path: '/:/progress', match: 'prefix', why: 'watched-progress updates' },
  { path: '/:/scrobble', match: 'prefix', why: 'mark as watched' },
  { path: '/:/eventsource/notifications', match: 'prefix', why: 'live notifications (server-sent events)' },
  { path: '/:/websockets/notifications', match: 'prefix', why: 'live notifications (websocket reconnects)' },
  { path: '/:/websocket/notifications', match: 'prefix', why: 'live notifications (older clients)' },
  { path: '/status/sessions', match: 'prefix', why: 'now-playing polls (clients, Tautulli, dashboards)' },
  { path: '/library/sections', match: 'prefix', why: 'library polls from home screens' },
  { path: '/library/onDeck', match: 'prefix', why: 'home screen' },
  { path: '/library/recentlyAdded', match: 'prefix', why: 'home screen' },
  { path: '/hubs', match: 'prefix', why: 'home screen and search hubs' },
  { path: '/media/providers', match: 'prefix', why: 'client start-up: what this server offers' },
  {
    path: '/photo/:/transcode',
    match: 'prefix',
    why: 'poster and thumbnail resizing, often with an expired token',
  },
  { path: '/video/:/transcode/universal/ping', match: 'prefix', why: 'transcode keep-alive' },
  { path: '/video/:/transcode/universal/stop', match: 'prefix', why: 'end of a transcode' },
  { path: '/security/token', match: 'prefix', why: 'token exchange and refresh' },
  { path: '/security/resources', match: 'prefix', why: 'connection discovery' },
  { path: '/myplex/account', match: 'exact', why: 'sign-in state checks' },
  { path: '/servers', match: 'exact', why: 'legacy discovery' },
  { path: '/clients', match: 'exact', why: 'legacy player discovery' },
  { path: '/playQueues', match: 'prefix', why: 'play queue refresh after a token rotation' },
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
export const publicPlexPaths = new PathMatcher(PUBLIC_PLEX_PATHS);
