import { digits2, digitsN, LocalTimeZone } from '../local-time.js';
import { detach, EV_FAILURE, type LogEvent } from '../log-event.js';
import { hit, type LineParser, type ParserDefinition, type ParserOptions } from './types.js';

/**
 * nginx's error log (local time, no zone), the lines fail2ban's nginx-http-auth and
 * nginx-limit-req jails read (fail2ban/fail2ban config/filter.d/nginx-http-auth.conf,
 * nginx-limit-req.conf and their samples in fail2ban/tests/files/logs):
 *   2012/04/09 11:53:29 [error] 2865#0: *66647 user "xyz" was not found in "/var/www/.htpasswd", client: 192.0.43.10, server: www.myhost.com, request: "GET / HTTP/1.1", host: "www.myhost.com"
 *   2012/04/09 11:53:36 [error] 2865#0: *66647 user "xyz": password mismatch, client: 192.0.43.10, server: ..., request: "GET / HTTP/1.1", host: "..."
 *   2015/10/29 20:01:02 [error] 256554#0: *99927 limiting requests, excess: 1.852 by zone "one", client: 1.2.3.4, server: ..., request: "POST /index.htm HTTP/1.0", host: "..."
 * The user name (and the request and Host) are the client's; nginx writes `, client: ADDR,
 * server: NAME, request: "M P V", host: "H"[, referrer: "R"]` last, where the request path, Host
 * and referrer have no spaces. So the address is the one in that tail anchored at the end of the
 * line (as fail2ban's regex does): a name carrying `, client: 6.6.6.6` sits to its left.
 * A Basic-auth failure and a request refused by limit_req count as failures (fail2ban bans on
 * both); `delaying requests` (served, only slowed) does not.
 */
const TAIL = String.raw`, client: (\S+), server: \S*, request: "\S+ \S+ HTTP\/\d(?:\.\d)?", host: "\S+"(?:, referrer: "\S+")?\s*$`;
const AUTH_BASIC = new RegExp(
  `user "(.*)":? (?:password mismatch(?:: .*)?|(?:was )?not found(?::| in) .*)${TAIL}`,
  'y',
);
const LIMIT_REQ = new RegExp(String.raw`limiting requests?, excess: [\d.]+,? by zone "[^"]*"${TAIL}`, 'y');
export const NGINX_ERROR_PATTERNS = ['auth-basic', 'limit-req'] as const;

export class NginxErrorParser implements LineParser {
  readonly hits = new Uint32Array(NGINX_ERROR_PATTERNS.length);
  private readonly zone: LocalTimeZone;
  private readonly auth = new RegExp(AUTH_BASIC);
  private readonly limit = new RegExp(LIMIT_REQ);
  private lastTime = Number.NaN;

  constructor(options: ParserOptions) {
    this.zone = new LocalTimeZone(options.timeZone);
  }

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    // `2012/04/09 11:53:29 [error] 2865#0: *66647 `
    if (text.charCodeAt(start + 4) !== 47 || text.charCodeAt(start + 7) !== 47) return false;
    if (text.charCodeAt(start + 10) !== 32 || text.charCodeAt(start + 19) !== 32) return false;
    if (text.charCodeAt(start + 20) !== 91) return false;
    const levelEnd = text.indexOf('] ', start + 21);
    if (levelEnd === -1 || levelEnd - start > 32 || levelEnd >= end) return false;
    const pidEnd = text.indexOf(': ', levelEnd + 2);
    if (pidEnd === -1 || pidEnd - levelEnd > 24 || pidEnd >= end) return false;
    let msg = pidEnd + 2;
    // `*66647 ` (the connection number), absent on lines about no connection.
    if (text.charCodeAt(msg) !== 42) return true;
    const sp = text.indexOf(' ', msg);
    if (sp === -1 || sp - msg > 21 || sp >= end) return true;
    msg = sp + 1;
    const c = text.charCodeAt(msg);
    if (c !== 117 /* u */ && c !== 108 /* l */) return true;
    const line = end === text.length ? text : text.slice(0, end);
    const re = c === 117 ? this.auth : this.limit;
    re.lastIndex = msg;
    const m = re.exec(line);
    if (!m) return true;
    hit(this.hits, c === 117 ? 0 : 1);
    ev.flags = EV_FAILURE;
    if (c === 117) {
      ev.user = detach(m[1] ?? '');
      ev.setIpString(m[2] ?? '');
    } else {
      ev.setIpString(m[1] ?? '');
    }
    ev.setTime(this.time(text, start));
    return true;
  }

  private time(text: string, s: number): number {
    const year = digitsN(text, s, 4);
    const month = digits2(text, s + 5);
    const day = digits2(text, s + 8);
    const hour = digits2(text, s + 11);
    const minute = digits2(text, s + 14);
    const second = digits2(text, s + 17);
    if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return Number.NaN;
    const t = this.zone.toEpoch(year, month - 1, day, hour, minute, second, 0, this.lastTime);
    this.lastTime = t;
    return t;
  }
}

export const nginxErrorParser = {
  id: 'nginx-error',
  kinds: ['nginx-error'],
  patterns: NGINX_ERROR_PATTERNS,
  create: (options) => new NginxErrorParser(options),
} as const satisfies ParserDefinition;
