import { EV_SUCCESS, type LogEvent } from '../log-event.js';
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
 */
export class AccessLogParser implements LineParser {
  readonly hits = new Uint32Array(1);
  private readonly clock = new ClfTime();

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    const sp = text.indexOf(' ', start);
    if (sp === -1 || sp >= end || sp - start > 47 || sp === start) return false;
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
    ev.status = status;
    // Most lines are 2xx/3xx: their path is never needed, so it is only located for 4xx.
    if (status >= 400 && status < 500) {
      const methodEnd = text.indexOf(' ', reqStart);
      if (methodEnd !== -1 && methodEnd < reqEnd) {
        let pathEnd = text.indexOf(' ', methodEnd + 1);
        if (pathEnd === -1 || pathEnd > reqEnd) pathEnd = reqEnd;
        ev.setPath(text, methodEnd + 1, pathEnd);
      }
      classifyHttpStatus(status, ev);
    } else if (status >= 200 && status < 300) {
      ev.flags = EV_SUCCESS;
    }
    if (ev.flags !== 0) {
      ev.setIp(text, start, sp);
      ev.setLazyTime(this.clock, text, lb + 2);
    }
    hit(this.hits, 0);
    return true;
  }
}

export const accessLogParser = {
  id: 'access-log',
  kinds: ['nginx', 'apache', 'traefik'],
  patterns: ['request'],
  create: () => new AccessLogParser(),
} as const satisfies ParserDefinition;
