import { EV_CLIENT_ERROR, EV_ROUTINE, EV_SUCCESS, type LogEvent } from '../log-event.js';
import { routinePlexProxyRequests } from '../routine-plex-requests.js';
import { ClfTime } from './clf-time.js';
import { classifyHttpStatus, statusAt } from './http-status.js';
import { hit, type LineParser, type ParserDefinition } from './types.js';

/**
 * Combined / common access log as written by nginx, Apache and Traefik (its "common" format
 * has the same first seven fields):
 *   203.0.113.7 - user [25/Nov/2026:19:10:45 +0000] "GET /path HTTP/1.1" 404 153 "ref" "ua"
 * The address is the first field, which only the server writes: whatever a client puts into
 * the user, the request, the referrer or the user agent can at most change how its *own* line
 * reads, never which address a line is charged to.
 *
 * `vhost: true` reads the formats that put `$host` first (Apache's vhost_combined, nginx
 * configurations copying it): `www.example.com 1.128.3.4 - - [...] ...`. The Host header is
 * the client's choice (`localhost` in a real sample), so that field is skipped and the line is
 * charged to the address after it; a line whose second field is not an address is skipped.
 *
 * A 401 without a user name is the challenge a browser gets before it sends any: not a failed
 * login (fail2ban's filter.d/traefik-auth.conf, normal mode: `(?!- )<F-USER>\S+</F-USER>`),
 * only a client error. Plex clients' routine requests through a proxy in front of Plex are
 * allow-listed as in the Plex log: the Plex-only paths of that list (routine-plex-requests.ts).
 */
export class AccessLogParser implements LineParser {
  readonly hits = new Uint32Array(1);
  private readonly clock = new ClfTime();

  constructor(private readonly vhost: boolean) {}

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    let ipStart = start;
    if (this.vhost) {
      const hostEnd = text.indexOf(' ', start);
      if (hostEnd === -1 || hostEnd >= end || hostEnd - start > 255) return false;
      ipStart = hostEnd + 1;
      if (!looksLikeAddress(text.charCodeAt(ipStart))) return false;
    }
    const sp = text.indexOf(' ', ipStart);
    if (sp === -1 || sp >= end || sp - ipStart > 47 || sp === ipStart) return false;
    // Date: ` [dd/Mon/yyyy:hh:mm:ss +zzzz] "` right after ident and user (usually `- -`). A
    // user name with ` [` in it is skipped by looking for the next candidate.
    let lb = text.startsWith(' - - [', sp) ? sp + 4 : text.indexOf(' [', sp);
    let tries = 0;
    while (lb !== -1 && lb < end && !(text.charCodeAt(lb + 28) === 93 && text.charCodeAt(lb + 30) === 34)) {
      if (++tries > 4) return false;
      lb = text.indexOf(' [', lb + 2);
    }
    if (lb === -1 || lb + 31 > end) return false;
    const reqStart = lb + 31;
    // nginx writes `"` inside the request as \x22 and Apache as \": the first `" ` ends it.
    const reqEnd = text.indexOf('" ', reqStart);
    if (reqEnd === -1 || reqEnd + 5 > end) return false;
    const status = statusAt(text, reqEnd + 2);
    if (status < 0) return false;
    hit(this.hits, 0);
    ev.status = status;
    // Most lines are 2xx/3xx: their path is never needed, so it is only located for 4xx.
    if (status >= 400 && status < 500) {
      const methodEnd = text.indexOf(' ', reqStart);
      if (methodEnd !== -1 && methodEnd < reqEnd) {
        let pathEnd = text.indexOf(' ', methodEnd + 1);
        if (pathEnd === -1 || pathEnd > reqEnd) pathEnd = reqEnd;
        ev.setPath(text, methodEnd + 1, pathEnd);
        if (routinePlexProxyRequests.matches(text, methodEnd + 1, pathEnd)) ev.flags = EV_ROUTINE;
      }
      if (ev.flags === 0) {
        classifyHttpStatus(status, ev);
        // `... - [`: no user was sent (the user field right before the date is `-`).
        if (status === 401 && text.charCodeAt(lb - 1) === 45 && text.charCodeAt(lb - 2) === 32)
          ev.flags = EV_CLIENT_ERROR;
      }
    } else if (status >= 200 && status < 300) {
      ev.flags = EV_SUCCESS;
    }
    if (ev.flags !== 0) {
      ev.setIp(text, ipStart, sp);
      ev.setLazyTime(this.clock, text, lb + 2);
    }
    return true;
  }
}

/** A hex digit or `:` (IPv6 `::1`), as an address's first character; a host name's is not always. */
function looksLikeAddress(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 58;
}

export const accessLogParser = {
  id: 'access-log',
  kinds: ['nginx', 'apache', 'traefik'],
  patterns: ['request'],
  create: () => new AccessLogParser(false),
} as const satisfies ParserDefinition;
