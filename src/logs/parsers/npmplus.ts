import { EV_CLIENT_ERROR, EV_ROUTINE, type LogEvent } from '../log-event.js';
import { routinePlexProxyRequests } from '../routine-plex-requests.js';
import { ClfTime } from './clf-time.js';
import { clientBehindProxy } from './forwarded.js';
import { classifyHttpStatus, statusAt } from './http-status.js';
import { hit, type LineParser, type ParserDefinition, type ParserOptions } from './types.js';

const ACCESS = 0;
const JSON_ACCESS = 1;

interface JsonAnalytics {
  remote_addr?: unknown;
  remote_user?: unknown;
  time_iso8601?: unknown;
  request_uri?: unknown;
  status?: unknown;
  http_x_forwarded_for?: unknown;
}

/**
 * NPMplus (ZoeyVid/NPMplus, the Nginx Proxy Manager fork), whose logs differ from NPM's. Both
 * formats are declared in its rootfs/usr/local/nginx/conf/nginx.conf:
 *
 * - `/data/nginx/access.log` (written when `LOGROTATE=true`), format `log` in older releases and
 *   `alog` in newer ones (which add `$is_request_port$request_port` to the host):
 *     '[$time_local] $host$is_request_port$request_port $remote_addr $request_time "$request"
 *      $status $body_bytes_sent $bytes_sent $http_referer $http_user_agent'
 *   e.g. `[25/Nov/2026:19:10:45 +0000] sonarr.example.com 203.0.113.7 0.004 "POST /api HTTP/2.0" 401 0 120 - curl/8.0`.
 *   The Host comes first and is the client's choice, so the address is located from the
 *   request's opening quote backwards: nginx writes a `"` inside any logged value as `\x22`
 *   (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format, `escape`), so the first
 *   `"` of the line opens `$request`, and the two fields before it, `$remote_addr` and
 *   `$request_time` (seconds, millisecond resolution), are written by nginx alone. Whatever a
 *   client puts in its Host, even spaces and an address, stays to the left of them.
 * - `/data/nginx/json_access.log`, format `json_analytics` (`escape=json`): one JSON object per
 *   line with `remote_addr`, `remote_user`, `time_iso8601`, `request_uri`, `status` (a string)
 *   and `http_x_forwarded_for`; read with JSON.parse, like Traefik's.
 *
 * `$remote_addr` is already the client: NPMplus sets `real_ip_header X-Forwarded-For` with
 * `set_real_ip_from` the private ranges (same nginx.conf). The text format logs no
 * `$remote_user`, so a 401 there cannot be told from the challenge a browser gets before it
 * sends a name (fail2ban traefik-auth, normal mode): a client error, not a failed login; the
 * JSON format has the user and counts a 401 with a user as a failure. Plex clients' routine
 * requests are allow-listed as for every proxy in front of Plex.
 */
export class NpmplusParser implements LineParser {
  readonly hits = new Uint32Array(2);
  private readonly clock = new ClfTime();

  constructor(private readonly options: ParserOptions) {}

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    const c = text.charCodeAt(start);
    if (c === 91) return this.access(text, start, end, ev);
    if (c === 123) return this.json(text, start, end, ev);
    return false;
  }

  private access(text: string, start: number, end: number, ev: LogEvent): boolean {
    // `[dd/Mon/yyyy:hh:mm:ss +zzzz] `
    if (text.charCodeAt(start + 27) !== 93 || text.charCodeAt(start + 28) !== 32) return false;
    const open = text.indexOf('"', start + 29);
    if (open === -1 || open >= end || text.charCodeAt(open - 1) !== 32) return false;
    const rtStart = text.lastIndexOf(' ', open - 2) + 1;
    if (rtStart <= start + 29 || !isRequestTime(text, rtStart, open - 1)) return false;
    const ipEnd = rtStart - 1;
    const ipStart = text.lastIndexOf(' ', ipEnd - 1) + 1;
    // The host field before the address is at least one character.
    if (ipStart <= start + 29 || ipEnd - ipStart > 45 || !looksLikeAddress(text.charCodeAt(ipStart)))
      return false;
    const close = text.indexOf('"', open + 1);
    if (close === -1 || close + 5 > end || text.charCodeAt(close + 1) !== 32) return false;
    const status = statusAt(text, close + 2);
    if (status < 0 || (close + 5 < end && text.charCodeAt(close + 5) !== 32)) return false;
    hit(this.hits, ACCESS);
    ev.status = status;
    const methodEnd = text.indexOf(' ', open + 1);
    if (methodEnd !== -1 && methodEnd < close) {
      let pathEnd = text.indexOf(' ', methodEnd + 1);
      if (pathEnd === -1 || pathEnd > close) pathEnd = close;
      ev.setPath(text, methodEnd + 1, pathEnd);
    }
    this.classify(status, '', ev);
    if (ev.flags !== 0) {
      ev.setIp(text, ipStart, ipEnd);
      ev.setLazyTime(this.clock, text, start + 1);
    }
    return true;
  }

  private json(text: string, start: number, end: number, ev: LogEvent): boolean {
    let entry: JsonAnalytics;
    try {
      entry = JSON.parse(Buffer.from(text.slice(start, end), 'latin1').toString('utf8')) as JsonAnalytics;
    } catch {
      return false;
    }
    if (typeof entry !== 'object' || entry === null) return false;
    const addr = entry.remote_addr;
    const status =
      typeof entry.status === 'string' && /^[1-5]\d\d$/.test(entry.status) ? Number(entry.status) : -1;
    if (typeof addr !== 'string' || addr === '' || status < 0) return false;
    hit(this.hits, JSON_ACCESS);
    ev.status = status;
    const uri =
      typeof entry.request_uri === 'string' ? Buffer.from(entry.request_uri, 'utf8').toString('latin1') : '';
    ev.setPath(uri, 0, uri.length);
    const user = typeof entry.remote_user === 'string' ? entry.remote_user : '';
    this.classify(status, user, ev);
    if (ev.flags !== 0) {
      const xff = typeof entry.http_x_forwarded_for === 'string' ? entry.http_x_forwarded_for : '';
      ev.setIpString(clientBehindProxy(addr, xff, this.options.trustedProxies));
      ev.setTime(typeof entry.time_iso8601 === 'string' ? Date.parse(entry.time_iso8601) : Number.NaN);
    }
    return true;
  }

  private classify(status: number, user: string, ev: LogEvent): void {
    if (
      status >= 400 &&
      status < 500 &&
      ev.hasPath() &&
      routinePlexProxyRequests.matches(ev.text, ev.pathStart, ev.pathEnd)
    ) {
      ev.flags = EV_ROUTINE;
      return;
    }
    classifyHttpStatus(status, ev);
    if (status === 401 && (user === '' || user === '-')) ev.flags = EV_CLIENT_ERROR;
    if (user !== '' && user !== '-') ev.user = user;
  }
}

/** `$request_time`: seconds with a millisecond fraction (`0.004`, `12.345`). */
function isRequestTime(text: string, start: number, end: number): boolean {
  const dot = end - 4;
  if (dot <= start || text.charCodeAt(dot) !== 46) return false;
  for (let i = start; i < end; i++) {
    if (i === dot) continue;
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** A hex digit or `:`, as an address's first character (`unix:` from NPMplus's socket listener is not one). */
function looksLikeAddress(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 58;
}

export const npmplusParser = {
  id: 'npmplus',
  kinds: ['npmplus'],
  patterns: ['proxy-access', 'json-analytics'],
  create: (options) => new NpmplusParser(options),
} as const satisfies ParserDefinition;
