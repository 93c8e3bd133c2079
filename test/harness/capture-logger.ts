import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/kernel/logger.js';

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/**
 * A real logger (the bot's own format, redaction included) whose JSON lines are kept in memory,
 * so a test can read what an operator would read.
 */
export function captureLogger(secrets: readonly string[] = []): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') entries.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', secrets, stream }), entries };
}

/** The one logged entry carrying `reference`; fails the test when there is none or several. */
export function entryWithReference(entries: readonly LogEntry[], reference: string | undefined): LogEntry {
  const found = entries.filter((e) => e.reference === reference);
  if (reference === undefined || found.length !== 1 || !found[0])
    throw new Error(`expected one log entry with reference ${String(reference)}, found ${found.length}`);
  return found[0];
}
