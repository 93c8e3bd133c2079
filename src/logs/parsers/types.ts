import type { CidrSet } from '../../net/ip.js';
import type { LogEvent } from '../log-event.js';

export interface ParserOptions {
  /**
   * Zone for formats that write local time without an offset (Plex, classic syslog); undefined:
   * the system's.
   */
  readonly timeZone: string | undefined;
  /** Now, for formats without a year (classic syslog). */
  readonly now: () => number;
  /**
   * `TRUSTED_PROXIES`: when the connecting address is one of these, the client is the
   * right-most untrusted address of the X-Forwarded-For the format logs; from anyone else the
   * header is ignored. Empty or absent: never honoured.
   */
  readonly trustedProxies?: CidrSet;
  /** The Plex owner's account name as Plex writes it in `Signed-in Token (NAME)`. */
  readonly plexOwner?: string;
}

/**
 * What a structured source (journald) knows about one message besides its text: the time it
 * was received and the pid the journal attached itself (`_PID`, which the sender cannot forge,
 * unlike a syslog header). See systemd.journal-fields(7).
 */
export interface MessageFields {
  /** Epoch milliseconds (`__REALTIME_TIMESTAMP` / 1000). */
  readonly time: number;
  /** The sending process, '' when unknown. */
  readonly pid: string;
}

/**
 * Reads one line of one application's log. The line is `text[start, end)` of a latin1 chunk,
 * without its line break. Patterns are anchored on what the application itself wrote (the
 * start of the line, fixed fields); the parts an attacker controls (paths, user agents, user
 * names) are never searched for addresses.
 */
export interface LineParser {
  /**
   * Fills `ev` (already reset) and returns true for a line this format writes; returns false
   * for anything else (continuation lines, garbage), which is counted as skipped.
   */
  parse(text: string, start: number, end: number, ev: LogEvent): boolean;
  /**
   * The same for a bare message without the log line's own header (journald's `MESSAGE`), for
   * the formats a journal carries (sshd). `text[start, end)` is the message only.
   */
  parseMessage?(text: string, start: number, end: number, fields: MessageFields, ev: LogEvent): boolean;
  /**
   * Lines matched per pattern, indexed like the definition's `patterns` (replay reports them;
   * the sample test requires a sample for each). Counted in place: one increment per match.
   */
  readonly hits: Uint32Array;
  /** Cross-line memory (Plex request correlation), saved with the offset so a restart resumes it. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** A registered parser; its id is its file name, its kinds are the `LOG_SOURCES` kinds it reads. */
export interface ParserDefinition<Kind extends string = string> {
  readonly id: string;
  readonly kinds: readonly Kind[];
  /** The line shapes it recognizes, by name; every one has an annotated sample in test/fixtures/logs. */
  readonly patterns: readonly string[];
  create(options: ParserOptions): LineParser;
}

/** Counts one line for pattern `i` (see LineParser.hits). */
export function hit(hits: Uint32Array, i: number): void {
  hits[i] = (hits[i] as number) + 1;
}
