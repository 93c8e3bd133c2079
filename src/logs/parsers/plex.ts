import { digits2, digitsN, LocalTimeZone, monthAt } from '../local-time.js';
import {
  detach,
  EV_BAD_TOKEN,
  EV_CLIENT_ERROR,
  EV_FAILURE,
  EV_OWNER,
  EV_ROUTINE,
  EV_SUCCESS,
  type LogEvent,
  type TimeSource,
} from '../log-event.js';
import { publicPlexPaths, routinePlexRequests } from '../routine-plex-requests.js';
import { clientBehindProxy } from './forwarded.js';
import { statusAt } from './http-status.js';
import { type Pending, PlexPendingRequests, TOKEN_NONE, TOKEN_OTHER, TOKEN_REFUSED } from './plex-pending.js';
import { PlexRequestRing } from './plex-request-ring.js';
import { hit, type LineParser, type ParserDefinition, type ParserOptions } from './types.js';

/**
 * Plex Media Server.log:
 *   Nov 25, 2026 19:10:45.123 [0x7f0a1b2c3d4e] DEBUG - Request: [203.0.113.7:51234 (WAN)] GET /library/sections (6 live) #1a2b GZIP Signed-in Token ()
 *   Nov 25, 2026 19:10:45.125 [0x7f0a1b2c3d4e] DEBUG - Completed: [203.0.113.7:51234] 401 GET /library/sections (6 live) #1a2b GZIP 0ms 357 bytes
 *   Nov 25, 2026 19:10:46.001 [140123456] DEBUG - [Req#8b] Auth: authenticated user 1 as alice
 * Old builds have no milliseconds; newer ones add `[Req#..]` tags; thread ids are hex or
 * decimal; IPv6 addresses come bracketed inside the brackets. Times are local without a zone.
 *
 * Only the message *start* is matched (`Request: [`, `Completed: [`, `Auth: authenticated
 * user `) at the position right after the level, and request paths never contain spaces, so a
 * path or user agent that imitates a Plex line is just text inside another message.
 *
 * PMS 1.43 (a complete real log): the address label can be `(Allowed Network (Subnet))`; the
 * request number is `#48355` after `(N live)`; the token part is `Signed-in Token (NAME)` for
 * an accepted token and `Token ()` for a request that carried none; headers may follow as
 * ` / Accept => ...` and ` / X-Forwarded-For => 61.43.124.100`. `Auth: authenticated user`
 * lines do not appear there; the owner is recognised by name (`plexOwner`) on the request.
 * Header values are the client's: nothing after ` / ` is read except X-Forwarded-For, and
 * that only when the connecting address is a trusted proxy (TRUSTED_PROXIES).
 *
 * A token that was presented and refused: no public recorded sample of the line PMS 1.43
 * writes for it was found (searched 2026-12: Plex forum threads, python-plexapi, Tautulli and
 * fail2ban issues and filters; the public 1.43 lines show only `Signed-in Token (NAME)` and
 * `Token ()`). So no 1.43 shape is assumed: the `Signed-in Token ()` of older builds is kept,
 * and a 1.43 `Token ()` 401 (no token at all) is never a rejected token.
 *
 * Cross-line memory: a `Signed-in Token ()` request (older builds: a token Plex refused)
 * waits for its Completed line (bad token); a `Token ()` request (no token at all) waits too,
 * so that its 401 is only a client error; a request through a trusted proxy waits so that its
 * Completed line is charged to the client. The last request address per thread / request
 * tag attributes the next Auth line.
 */
export const PLEX_PATTERNS = ['request', 'completed', 'auth-owner'] as const;
const P_REQUEST = 0;
const P_COMPLETED = 1;
const P_AUTH = 2;
/** The fields Plex writes between the path and the token part are short: `(6 live) #48355 TLS GZIP`. */
const TOKEN_SEARCH = 64;
const XFF = ' / X-Forwarded-For => ';

export class PlexParser implements LineParser, TimeSource {
  private readonly zone: LocalTimeZone;
  private lastTime = Number.NaN;
  readonly hits = new Uint32Array(PLEX_PATTERNS.length);
  private readonly pending = new PlexPendingRequests();
  private readonly recent = new PlexRequestRing();
  /** Where the address found by hostEnd() starts (instance state: no array per line). */
  private hostStart = 0;
  /** The line's request tag (`[Req#8b]`), or its thread id without one, as set by parse(). */
  private keyStart = 0;
  private keyEnd = 0;
  private readonly owner: string;
  private readonly options: ParserOptions;
  private minuteKey = '';
  private minuteMs = 0;

  constructor(options: ParserOptions) {
    this.zone = new LocalTimeZone(options.timeZone);
    this.options = options;
    this.owner = options.plexOwner ?? '';
  }

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    // `Nov 25, 2026 19:10:45` (day possibly one digit), then `.mmm` on newer builds.
    const month = monthAt(text, start);
    if (month < 0 || text.charCodeAt(start + 3) !== 32) return false;
    const d = text.charCodeAt(start + 5) === 44 ? 1 : 2;
    const comma = start + 4 + d;
    if (text.charCodeAt(comma) !== 44 || text.charCodeAt(comma + 1) !== 32) return false;
    const y = comma + 2;
    if (text.charCodeAt(y + 4) !== 32) return false;
    const timeAt = y + 5;
    if (text.charCodeAt(timeAt + 2) !== 58 || text.charCodeAt(timeAt + 5) !== 58) return false;
    let p = timeAt + 8;
    let ms = 0;
    if (text.charCodeAt(p) === 46) {
      ms = digitsN(text, p + 1, 3);
      if (ms < 0) return false;
      p += 4;
    }
    if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 91) return false;
    const threadStart = p + 2;
    const threadEnd = text.indexOf('] ', threadStart);
    if (threadEnd === -1 || threadEnd - threadStart > 24 || threadEnd >= end) return false;
    // Level, then ` - `; tags such as `[Req#8b]` may sit before or after the dash.
    let m = text.indexOf(' ', threadEnd + 2);
    if (m === -1 || m - threadEnd > 10 || m >= end) return false;
    m++;
    // Padded levels (`WARN  - `) are tolerated.
    while (text.charCodeAt(m) === 32 && m < end) m++;
    this.keyStart = threadStart;
    this.keyEnd = threadEnd;
    for (let guard = 0; guard < 4; guard++) {
      const c = text.charCodeAt(m);
      if (c === 45 && text.charCodeAt(m + 1) === 32) {
        m += 2;
      } else if (c === 91 && text.charCodeAt(m + 4) === 35 /* [Req# */) {
        const close = text.indexOf('] ', m);
        if (close === -1 || close - m > 40 || close >= end) break;
        this.keyStart = m + 1;
        this.keyEnd = close;
        m = close + 2;
      } else {
        break;
      }
    }
    const c0 = text.charCodeAt(m);
    if (c0 === 67 /* C */ && text.startsWith('Completed: [', m)) {
      this.completed(text, m + 12, end, ev);
    } else if (c0 === 82 /* R */ && text.startsWith('Request: [', m)) {
      this.request(text, m + 10, end, ev);
    } else if (c0 === 65 /* A */ && text.startsWith('Auth: authenticated user ', m)) {
      this.auth(text, m + 25, end, ev);
    } else {
      return true;
    }
    if (ev.flags !== 0) ev.setLazyTime(this, text, start);
    return true;
  }

  /** The time of the line starting at `start` (already validated by parse). */
  timeOf(text: string, start: number): number {
    const month = monthAt(text, start);
    const d = text.charCodeAt(start + 5) === 44 ? 1 : 2;
    const y = start + 6 + d;
    const timeAt = y + 5;
    const ms = text.charCodeAt(timeAt + 8) === 46 ? digitsN(text, timeAt + 9, 3) : 0;
    return this.time(text, start, month, d, y, timeAt, Math.max(0, ms));
  }

  private completed(text: string, a: number, end: number, ev: LogEvent): void {
    const close = text.indexOf('] ', a);
    if (close === -1 || close - a > 64 || close + 5 > end) return;
    const status = statusAt(text, close + 2);
    if (status < 0) return;
    const methodEnd = text.indexOf(' ', close + 6);
    if (methodEnd === -1 || methodEnd >= end) return;
    let pathEnd = text.indexOf(' ', methodEnd + 1);
    if (pathEnd === -1 || pathEnd > end) pathEnd = end;
    hit(this.hits, P_COMPLETED);
    ev.status = status;
    ev.setPath(text, methodEnd + 1, pathEnd);
    let pending: Pending | undefined;
    if (this.pending.size > 0 && (status >= 400 || this.pending.proxied > 0)) {
      pending = this.pending.take(`${text.slice(a, close)} ${text.slice(methodEnd + 1, pathEnd)}`);
    }
    if (status >= 200 && status < 300) {
      if (!publicPlexPaths.matches(text, methodEnd + 1, pathEnd)) ev.flags = EV_SUCCESS;
    } else if (status >= 400 && status < 500) {
      const token = pending?.token ?? TOKEN_OTHER;
      if (status === 401 && token === TOKEN_REFUSED) ev.flags = EV_BAD_TOKEN;
      else if (routinePlexRequests.matches(text, methodEnd + 1, pathEnd)) ev.flags = EV_ROUTINE;
      // No token presented: asking for one is not a failed login (any scanner probing `/`).
      else if (token === TOKEN_NONE) ev.flags = EV_CLIENT_ERROR;
      else ev.flags = status === 401 ? EV_FAILURE | EV_CLIENT_ERROR : EV_CLIENT_ERROR;
    }
    if (ev.flags !== 0) {
      if (pending !== undefined && pending.client !== '') {
        ev.setIpString(pending.client);
      } else {
        const e = this.hostEnd(text, a, close);
        ev.setIp(text, this.hostStart, e);
      }
    }
  }

  private request(text: string, a: number, end: number, ev: LogEvent): void {
    const open = text.indexOf(' (', a);
    if (open === -1 || open - a > 64 || open >= end) return;
    // `(WAN)`, `(Subnet)`, `(Allowed Network (Subnet))`.
    const close = text.indexOf(')] ', open);
    if (close === -1 || close - open > 40) return;
    const methodEnd = text.indexOf(' ', close + 3);
    if (methodEnd === -1 || methodEnd >= end) return;
    let pathEnd = text.indexOf(' ', methodEnd + 1);
    if (pathEnd === -1 || pathEnd > end) pathEnd = end;
    hit(this.hits, P_REQUEST);
    const end_ = this.hostEnd(text, a, open);
    const hostFrom = this.hostStart;
    // Everything between the path and the first ` / ` header is written by Plex (paths never
    // contain spaces): `(6 live) #48355 TLS GZIP Signed-in Token (NAME)` or `... Token ()`.
    let token = TOKEN_OTHER;
    let nameStart = -1;
    let nameEnd = -1;
    const limit = Math.min(end, pathEnd + TOKEN_SEARCH);
    let t = this.nextToken(text, pathEnd);
    // A header value (` / Accept => ...`) is the client's: the token part is never in it, and
    // Plex's own fields before the token part hold no `/`.
    for (let i = pathEnd; i < t && t < limit; i++) if (text.charCodeAt(i) === 47) t = limit;
    if (t < limit) {
      const signedIn = t >= 10 && text.startsWith(' Signed-in', t - 10);
      nameStart = t + 8;
      nameEnd = text.indexOf(')', nameStart);
      if (nameEnd === -1 || nameEnd > end) nameEnd = nameStart;
      if (nameEnd === nameStart) token = signedIn ? TOKEN_REFUSED : TOKEN_NONE;
      else if (!signedIn) nameStart = -1;
    }
    // X-Forwarded-For only matters from a trusted proxy; Plex writes it after the token part.
    let client = '';
    const proxies = this.options.trustedProxies;
    if (proxies !== undefined && proxies.cidrs.length > 0 && end - pathEnd > XFF.length) {
      const x = text.lastIndexOf(XFF, end - 1);
      if (x > pathEnd) {
        let valueEnd = text.indexOf(' / ', x + XFF.length);
        if (valueEnd === -1 || valueEnd > end) valueEnd = end;
        const connecting = text.slice(hostFrom, end_);
        const resolved = clientBehindProxy(connecting, text.slice(x + XFF.length, valueEnd), proxies);
        if (resolved !== connecting) client = detach(resolved);
      }
    }
    if (token !== TOKEN_OTHER || client !== '') {
      this.pending.add(detach(`${text.slice(a, open)} ${text.slice(methodEnd + 1, pathEnd)}`), {
        token,
        client,
      });
    }
    // The owner signed in (by name: 1.43 writes no `Auth: authenticated user` line).
    if (
      nameStart >= 0 &&
      this.owner !== '' &&
      nameEnd - nameStart === this.owner.length &&
      text.startsWith(this.owner, nameStart)
    ) {
      ev.flags = EV_OWNER;
      ev.user = this.owner;
      if (client !== '') ev.setIpString(client);
      else ev.setIp(text, hostFrom, end_);
    }
    // Rare (proxied Plex): the client is not in the text, so the ring keeps its own copy.
    if (client !== '') this.recent.remember(detach(text.slice(this.keyStart, this.keyEnd)), client);
    else this.recent.record(text, this.keyStart, this.keyEnd, hostFrom, end_);
  }

  /**
   * The first ` Token (` at or after `from` in `text`. One search serves every line up to the
   * match (lines without a token part are common in older logs): a search per line would run on
   * through the rest of the chunk each time.
   */
  private nextToken(text: string, from: number): number {
    if (text !== this.tokenText || from < this.tokenFrom || from > this.tokenAt) {
      const at = text.indexOf(' Token (', from);
      this.tokenText = text;
      this.tokenFrom = from;
      this.tokenAt = at === -1 ? text.length : at;
    }
    return this.tokenAt;
  }

  private tokenText = '';
  private tokenFrom = 0;
  private tokenAt = 0;

  private auth(text: string, a: number, end: number, ev: LogEvent): void {
    // `1 as alice`: user 1 is the server owner.
    if (text.charCodeAt(a) !== 49 || !text.startsWith(' as ', a + 1)) return;
    const ip = this.recent.hostOf(text.slice(this.keyStart, this.keyEnd));
    if (ip === undefined || ip === '') return;
    hit(this.hits, P_AUTH);
    ev.flags = EV_OWNER;
    ev.setIpString(ip);
    ev.user = detach(text.slice(a + 5, end));
  }

  private time(
    text: string,
    start: number,
    month: number,
    d: number,
    y: number,
    t: number,
    ms: number,
  ): number {
    if (this.minuteKey !== '' && text.startsWith(this.minuteKey, start)) {
      const s = digits2(text, t + 6);
      if (s >= 0) {
        const value = this.minuteMs + s * 1000 + ms;
        this.lastTime = value;
        return value;
      }
    }
    const day = d === 1 ? text.charCodeAt(start + 4) - 48 : digits2(text, start + 4);
    const year = digitsN(text, y, 4);
    const hour = digits2(text, t);
    const minute = digits2(text, t + 3);
    const second = digits2(text, t + 6);
    if (day < 1 || year < 0 || hour < 0 || minute < 0 || second < 0) return Number.NaN;
    const value = this.zone.toEpoch(year, month, day, hour, minute, second, ms, this.lastTime);
    // Cache the minute only off a DST fold: there the same text can mean two instants.
    const minuteMs = value - second * 1000 - ms;
    if (this.zone.toEpoch(year, month, day, hour, minute, 0, 0) === minuteMs) {
      this.minuteKey = detach(text.slice(start, t + 5));
      this.minuteMs = minuteMs;
    } else {
      this.minuteKey = '';
    }
    this.lastTime = value;
    return value;
  }

  /**
   * `1.2.3.4:5555`, `[2001:db8::1]:5555`, `[::ffff:1.2.3.4]:5555` or `::ffff:1.2.3.4:5555`:
   * returns where the address ends and leaves its start in `hostStart` (no array per line).
   */
  private hostEnd(text: string, a: number, b: number): number {
    if (text.charCodeAt(a) === 91) {
      const close = text.indexOf(']', a);
      this.hostStart = a + 1;
      return close === -1 || close > b ? a + 1 : close;
    }
    this.hostStart = a;
    const colon = text.lastIndexOf(':', b - 1);
    return colon < a ? b : colon;
  }

  saveState(): unknown {
    return {
      lastTime: Number.isNaN(this.lastTime) ? null : this.lastTime,
      pending: this.pending.save(),
      threads: this.recent.entries(),
    };
  }

  loadState(state: unknown): void {
    const s = state as { lastTime?: unknown; pending?: unknown; threads?: unknown } | null;
    if (!s || typeof s !== 'object') return;
    if (typeof s.lastTime === 'number') this.lastTime = s.lastTime;
    if (Array.isArray(s.pending)) this.pending.load(s.pending);
    if (Array.isArray(s.threads)) {
      for (const e of s.threads) {
        if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')
          this.recent.remember(e[0], e[1]);
      }
    }
  }
}

export const plexParser = {
  id: 'plex',
  kinds: ['plex'],
  patterns: PLEX_PATTERNS,
  create: (options) => new PlexParser(options),
} as const satisfies ParserDefinition;
