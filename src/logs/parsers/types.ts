import type { LogEvent } from '../log-event.js';

export interface ParserOptions {
  /** Zone for formats that write local time without an offset (Plex, classic syslog). */
  readonly timeZone: string;
  /** Now, for formats without a year (classic syslog). */
  readonly now: () => number;
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
  /** Cross-line memory (Plex request correlation), saved with the offset so a restart resumes it. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** A registered parser; its id is its file name, its kinds are the `LOG_SOURCES` kinds it reads. */
export interface ParserDefinition<Kind extends string = string> {
  readonly id: string;
  readonly kinds: readonly Kind[];
  create(options: ParserOptions): LineParser;
}
