import { embedSafe } from '../kernel/untrusted-text.js';
/**
 * One parsed line, reused for every line of a pass so that parsing allocates nothing for the
 * lines that cannot matter. Parsers fill it; the engine reads it before the next line.
 */

/** An authentication failure (401, wrong SSH password, invalid user). Feeds brute force. */
export const EV_FAILURE = 1;
/** A 4xx answer for a path. Feeds probing (distinct paths). */
export const EV_CLIENT_ERROR = 2;
/** The address got in: 2xx from a web server, an accepted SSH login. Feeds first-seen. */
export const EV_SUCCESS = 4;
/** Plex rejected a token (`Signed-in Token ()` then 401). */
export const EV_BAD_TOKEN = 8;
/** Plex authenticated the owner account (user 1) for this address. */
export const EV_OWNER = 16;
/** A routine request that is allow-listed (normal Plex client noise): counted, never detected. */
export const EV_ROUTINE = 32;

/** Reads a line's time on demand: most lines never need it. */
export interface TimeSource {
  timeOf(text: string, at: number): number;
}

export class LogEvent {
  /** Bit set of EV_* values; 0 means the line is well-formed but irrelevant. */
  flags = 0;
  /** Address as written by the application: `ipText[ipStart, ipEnd)`, cut only when new. */
  ipText = '';
  ipStart = 0;
  ipEnd = 0;
  private t = Number.NaN;
  private timeSource: TimeSource | null = null;
  private timeText = '';
  private timeAt = 0;
  status = 0;
  /** Account name where the format has one (SSH user, Plex owner name). */
  user = '';
  /** The text the path lives in (latin1), with its range: strings are cut only when needed. */
  text = '';
  pathStart = 0;
  pathEnd = 0;

  reset(): void {
    this.flags = 0;
    this.ipEnd = 0;
    this.t = Number.NaN;
    this.timeSource = null;
    this.status = 0;
    this.user = '';
    this.pathStart = 0;
    this.pathEnd = 0;
  }

  setPath(text: string, start: number, end: number): void {
    this.text = text;
    this.pathStart = start;
    this.pathEnd = end;
  }

  setIp(text: string, start: number, end: number): void {
    this.ipText = text;
    this.ipStart = start;
    this.ipEnd = end;
  }

  setIpString(ip: string): void {
    this.ipText = ip;
    this.ipStart = 0;
    this.ipEnd = ip.length;
  }

  get ip(): string {
    return this.ipText.slice(this.ipStart, this.ipEnd);
  }

  setTime(ms: number): void {
    this.t = ms;
  }

  setLazyTime(source: TimeSource, text: string, at: number): void {
    this.timeSource = source;
    this.timeText = text;
    this.timeAt = at;
  }

  /** Epoch milliseconds; NaN when the line had no usable time. */
  get time(): number {
    if (Number.isNaN(this.t) && this.timeSource !== null) {
      this.t = this.timeSource.timeOf(this.timeText, this.timeAt);
      this.timeSource = null;
    }
    return this.t;
  }

  hasPath(): boolean {
    return this.pathEnd > this.pathStart;
  }

  /** The path without its query string, still latin1 (bytes as chars). */
  pathNoQuery(): string {
    const end = queryStart(this.text, this.pathStart, this.pathEnd);
    return this.text.slice(this.pathStart, end);
  }

  /** FNV-1a of the path without query, computed in place: distinct-path counting without strings. */
  pathHash(): number {
    const text = this.text;
    let h = 0x811c9dc5;
    for (let i = this.pathStart; i < this.pathEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 63) break; // '?'
      h = Math.imul(h ^ c, 0x01000193);
    }
    return h >>> 0;
  }
}

/**
 * Log text is read as latin1 (one char per byte, never fails on invalid UTF-8). For display,
 * turn it back into bytes and decode as UTF-8 with replacement characters, drop control
 * characters and cut it short: it is attacker-controlled text on its way to Discord.
 */
export function displayText(latin1: string, max = 120): string {
  const decoded = Buffer.from(latin1, 'latin1').toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = decoded.replace(/[\u0000-\u001f\u007f-\u009f`]/g, '?');
  // Attacker text (user names, paths, user agents) ends up in embeds: the one embed policy.
  return embedSafe(clean.length > max ? `${clean.slice(0, max - 1)}…` : clean);
}

/**
 * A flat copy of `s` that does not keep its source alive. V8 cuts substrings of 13+ chars as
 * views into the parent, so one stored address would pin a whole 64 KiB chunk in memory (and
 * every read of it would go through the view): anything kept beyond the current line goes
 * through here. The copy is a JSON round trip, exact for any string without lone surrogates
 * (ECMA-262 JSON.stringify escapes only what JSON.parse reads back; latin1 text has none):
 * two engine builtins, where the Buffer round trip ran Node's JS (Buffer.from, the pool) for
 * each of a replay's 3,000 new addresses before it was optimized (11-13 ms against 3-5 ms,
 * measured on the 2-core bench machine).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * Where the query string of `text[start, end)` begins (or `end`). A bounded loop: indexOf
 * would run on through the rest of the chunk for the many paths without a `?`.
 */
export function queryStart(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 63) return i;
  return end;
}
