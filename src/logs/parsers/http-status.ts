import { EV_CLIENT_ERROR, EV_FAILURE, EV_SUCCESS, type LogEvent, queryStart } from '../log-event.js';

/**
 * Static assets missing from a site are ordinary (a stale bookmark, a theme asset); CrowdSec's
 * http-probing scenario leaves them out of its distinct-path count for the same reason.
 */
const STATIC_EXTENSIONS = new Set([
  'js',
  'css',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'ico',
  'svg',
  'webp',
  'woff',
  'woff2',
  'ttf',
  'map',
]);

export function isStaticPath(text: string, start: number, end: number): boolean {
  const stop = queryStart(text, start, end);
  const dot = text.lastIndexOf('.', stop - 1);
  if (dot < start || stop - dot > 7) return false;
  if (text.lastIndexOf('/', stop - 1) > dot) return false;
  return STATIC_EXTENSIONS.has(text.slice(dot + 1, stop).toLowerCase());
}

/**
 * fail2ban-style meaning of an HTTP status written by a web server: 401/407 are failed
 * authentications, other 4xx are probes for paths, 2xx means the client got what it asked for.
 */
export function classifyHttpStatus(status: number, ev: LogEvent): void {
  if (status >= 200 && status < 300) {
    ev.flags = EV_SUCCESS;
  } else if (status === 401 || status === 407) {
    ev.flags = EV_FAILURE | EV_CLIENT_ERROR;
  } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    if (status === 404 && isStaticPath(ev.text, ev.pathStart, ev.pathEnd)) return;
    ev.flags = EV_CLIENT_ERROR;
  }
}

/** Three ASCII digits at `i` as a number, or -1. */
export function statusAt(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  const c = text.charCodeAt(i + 2) - 48;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}
