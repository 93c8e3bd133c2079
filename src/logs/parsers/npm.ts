import type { LogEvent } from '../log-event.js';
import { ClfTime } from './clf-time.js';
import { classifyHttpStatus, statusAt } from './http-status.js';
import { hit, type LineParser, type ParserDefinition } from './types.js';

/**
 * Nginx Proxy Manager's proxy-host access log:
 *   [25/Nov/2026:19:10:45 +0000] - 200 200 - GET https example.com "/path" [Client 203.0.113.7] [Length 12] [Gzip -] [Sent-to 172.17.0.2] "ua" "ref"
 * The client address comes after the request URI, so it is located by structure, not by
 * search: the URI is the first quoted field (nginx escapes quotes inside it as \x22) and must
 * be followed directly by ` [Client `. A URI that contains `[Client 6.6.6.6]` stays inside the
 * quotes and is never read as the address.
 */
export class NpmParser implements LineParser {
  readonly hits = new Uint32Array(1);
  private readonly clock = new ClfTime();

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    if (text.charCodeAt(start) !== 91 || text.charCodeAt(start + 27) !== 93) return false;
    const open = text.indexOf('"', start + 28);
    if (open === -1 || open >= end) return false;
    const close = text.indexOf('"', open + 1);
    if (close === -1 || close >= end || !text.startsWith(' [Client ', close + 1)) return false;
    const ipStart = close + 10;
    const ipEnd = text.indexOf(']', ipStart);
    if (ipEnd === -1 || ipEnd >= end || ipEnd - ipStart > 47) return false;
    // `$status - $method $scheme $host "`: walk back over host, scheme, method and the dash.
    let cursor = open - 1; // the space before the quote
    for (let field = 0; field < 4; field++) {
      cursor = text.lastIndexOf(' ', cursor - 1);
      if (cursor < start + 28) return false;
    }
    const status = statusAt(text, cursor - 3);
    if (status < 0 || text.charCodeAt(cursor - 4) !== 32) return false;
    ev.status = status;
    ev.setPath(text, open + 1, close);
    classifyHttpStatus(status, ev);
    if (ev.flags !== 0) {
      ev.setIp(text, ipStart, ipEnd);
      ev.setLazyTime(this.clock, text, start + 1);
    }
    hit(this.hits, 0);
    return true;
  }
}

export const npmParser = {
  id: 'npm',
  kinds: ['npm'],
  patterns: ['proxy-host'],
  create: () => new NpmParser(),
} as const satisfies ParserDefinition;
