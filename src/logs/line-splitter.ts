import { LogEvent } from './log-event.js';
import type { LineParser } from './parsers/types.js';

/** Takes the events a parser found (the review loop). */
export interface EventSink {
  handle(ev: LogEvent): void;
}

/**
 * Cuts chunks into lines and runs the source's parser over each, in place (no line is copied
 * out of the chunk); one reused event carries what a line meant to the sink.
 */
export class LineSplitter {
  private readonly ev = new LogEvent();
  /** Lines the parser did not recognize since the last `takeSkipped()`. */
  private skipped = 0;

  constructor(
    private readonly parser: LineParser,
    private readonly sink: EventSink,
  ) {}

  /** Parses every line of `text`; returns how many non-empty lines it held. */
  feed(text: string): number {
    const ev = this.ev;
    const parser = this.parser;
    const sink = this.sink;
    const length = text.length;
    let lines = 0;
    let skipped = 0;
    let p = 0;
    while (p < length) {
      let nl = text.indexOf('\n', p);
      if (nl === -1) nl = length;
      let e = nl;
      if (e > p && text.charCodeAt(e - 1) === 13) e--;
      if (e > p) {
        lines++;
        // Parsers set every field they report; the event is cleared only after one was used.
        if (!parser.parse(text, p, e, ev)) {
          skipped++;
          if (ev.flags !== 0) ev.reset();
        } else if (ev.flags !== 0) {
          sink.handle(ev);
          ev.reset();
        }
      }
      p = nl + 1;
    }
    this.skipped += skipped;
    return lines;
  }

  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }
}
