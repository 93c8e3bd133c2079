import type * as ChildProcesses from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { JournalSpec } from '../../config/logs.js';
import type { JournalPosition, SourceChunk, SourceCursor, SourcePassPlan, SourceSegment } from './types.js';

const require = createRequire(import.meta.url);
/**
 * node:child_process (and net, dgram under it) is loaded with the first journal pass, not at
 * start: file sources and replays never spawn journalctl, and loading it is some 7 ms of CPU.
 */
let childProcesses: typeof ChildProcesses | undefined;
const childProcess = () => {
  childProcesses ??= require('node:child_process') as typeof ChildProcesses;
  return childProcesses;
};

/** Entries longer than this are dropped (counted), like over-long file lines. */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;
/** What is kept of journalctl's stderr for the error message. */
const MAX_STDERR = 2048;

/** A unit name ends in its type (systemd.unit(5)); anything else is a process name. */
const UNIT_SUFFIX = /\.(service|socket|target|device|mount|automount|swap|path|timer|slice|scope)$/;

/**
 * journalctl's arguments for one pass. Matches are on trusted fields only (`_SYSTEMD_UNIT`,
 * `_COMM`: systemd.journal-fields(7), "fields prefixed with an underscore are trusted fields
 * ... that cannot be altered by client code"), joined by `+` (journalctl(1): "an additional
 * match group"). `-o json` writes one entry per line (journalctl(1) output modes);
 * `--output-fields` keeps only what the line needs (`__CURSOR` and `__REALTIME_TIMESTAMP`
 * are always written).
 */
export function journalctlArgs(
  spec: JournalSpec,
  position: JournalPosition | undefined,
  sinceMs: number,
): string[] {
  const args = ['--no-pager', '--quiet', '-o', 'json', '--output-fields=MESSAGE,_COMM,_PID,_HOSTNAME'];
  if (spec.path !== undefined) {
    let folder = false;
    try {
      folder = statSync(spec.path).isDirectory();
    } catch {
      // Missing: journalctl says so, and the pass fails with its words.
    }
    args.push(folder ? `--directory=${spec.path}` : `--file=${spec.path}`);
  }
  if (position?.cursor) args.push(`--after-cursor=${position.cursor}`);
  else if ((position?.since ?? sinceMs) > 0)
    args.push(`--since=@${Math.floor((position?.since ?? sinceMs) / 1000)}`);
  spec.matches.forEach((m, i) => {
    if (i > 0) args.push('+');
    args.push(UNIT_SUFFIX.test(m) ? `_SYSTEMD_UNIT=${m}` : `_COMM=${m}`);
  });
  return args;
}

type JsonValue = string | number[] | null | undefined;

/** journalctl -o json: a field is a string, an array of bytes (not UTF-8), or null (too big). */
function text(v: JsonValue): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return Buffer.from(v).toString('latin1');
  return undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `__REALTIME_TIMESTAMP` (µs since the epoch) as RFC 3339 in UTC, as rsyslog's file format writes it. */
function isoTime(us: string): string | undefined {
  if (!/^\d{1,17}$/.test(us)) return undefined;
  const n = BigInt(us);
  const d = new Date(Number(n / 1000n));
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Number(n % 1_000_000n), 6)}+00:00`;
}

/**
 * One entry as the syslog line rsyslog would have written (`TIME HOST COMM[PID]: MESSAGE`), so
 * the kind's parser reads it unchanged. A newline inside MESSAGE would make a second, forged
 * line: control characters become spaces.
 */
export function entryLine(e: Record<string, JsonValue>): string | undefined {
  const message = text(e.MESSAGE);
  const time = typeof e.__REALTIME_TIMESTAMP === 'string' ? isoTime(e.__REALTIME_TIMESTAMP) : undefined;
  if (message === undefined || time === undefined) return undefined;
  const word = (v: JsonValue, fallback: string) =>
    (text(v) ?? fallback).replace(/[^\x21-\x7e]/g, '_') || fallback;
  const host = word(e._HOSTNAME, 'localhost');
  const comm = word(e._COMM, 'unknown').replace(/[[\]:]/g, '_');
  const pid = /^\d{1,10}$/.test(text(e._PID) ?? '') ? text(e._PID) : '0';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return `${time} ${host} ${comm}[${pid}]: ${message.replace(/[\x00-\x1f\x7f]/g, ' ')}\n`;
}

/** The entries journalctl writes, as chunks of lines; the position is the last entry's cursor. */
class JournalSegment implements SourceSegment {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<Buffer>;
  private carry = '';
  private pos: JournalPosition;
  private dropped = 0;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  private done = false;
  readonly live = true;

  constructor(
    args: string[],
    start: JournalPosition,
    private readonly chunkBytes: number,
    journalctl: string,
  ) {
    this.pos = start;
    // An argument array, never a shell: the match and path come from configuration.
    this.child = childProcess().spawn(journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => resolve(code));
    });
    this.exited.catch(() => {});
    this.child.stderr?.on('data', (d: Buffer) => {
      if (this.stderr.length < MAX_STDERR) this.stderr += d.toString('utf8').slice(0, MAX_STDERR);
    });
    const out = this.child.stdout;
    if (!out) throw new Error('journalctl has no stdout');
    // Pulled one buffer at a time: when the review is slower, the pipe fills and journalctl waits.
    this.lines = out[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get position(): JournalPosition {
    return this.pos;
  }

  takeDroppedLines(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  async next(): Promise<SourceChunk | null> {
    if (this.done) return null;
    let out = '';
    let bytes = 0;
    while (out.length < this.chunkBytes) {
      const r = await this.lines.next();
      if (r.done) {
        this.done = true;
        const code = await this.exited;
        // 1 with nothing written is "no entries match"; only a message on stderr is an error.
        if (code !== 0 && this.stderr.trim() !== '')
          throw new Error(`journalctl failed (${code}): ${this.stderr.trim()}`);
        break;
      }
      // JSON escapes every byte below 0x20, so a raw newline only ends an entry.
      const data = this.carry + r.value.toString('utf8');
      let from = 0;
      for (let nl = data.indexOf('\n'); nl !== -1; nl = data.indexOf('\n', from)) {
        const json = data.slice(from, nl);
        bytes += Buffer.byteLength(json) + 1;
        from = nl + 1;
        this.take(json, (line) => {
          out += line;
        });
      }
      this.carry = data.slice(from);
      if (this.carry.length > MAX_ENTRY_BYTES) {
        // Entries are one line each; a bigger one cannot be an entry we read.
        throw new Error('journalctl wrote an entry longer than 16 MiB');
      }
    }
    if (out === '' && bytes === 0) return null;
    return { text: out, bytes };
  }

  private take(json: string, emit: (line: string) => void): void {
    if (json.trim() === '') return;
    let e: Record<string, JsonValue>;
    try {
      e = JSON.parse(json) as Record<string, JsonValue>;
    } catch {
      this.dropped++;
      return;
    }
    const cursor = typeof e.__CURSOR === 'string' ? e.__CURSOR : undefined;
    const line = entryLine(e);
    if (line === undefined) this.dropped++;
    else emit(line);
    // Even a dropped entry moves the position: it is never read again.
    if (cursor !== undefined) this.pos = { kind: 'journald', cursor, since: this.pos.since };
  }

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}

/**
 * A journald source: each pass runs `journalctl -o json --after-cursor=LAST` and ends when
 * journalctl has written what the journal holds now. The first pass starts LOG_MAX_AGE back
 * (older entries could not produce findings anyway).
 */
export class JournalCursor implements SourceCursor {
  constructor(
    private readonly spec: JournalSpec,
    private readonly options: {
      chunkBytes: number;
      maxAgeMs: number;
      now: () => number;
      journalctl?: string;
    },
  ) {}

  async pass(committed: Parameters<SourceCursor['pass']>[0]): Promise<SourcePassPlan> {
    const position = committed?.kind === 'journald' ? committed : undefined;
    const since = Math.max(0, this.options.now() - this.options.maxAgeMs);
    const start: JournalPosition = position ?? { kind: 'journald', cursor: null, since };
    const segment = new JournalSegment(
      journalctlArgs(this.spec, position, since),
      start,
      this.options.chunkBytes,
      this.options.journalctl ?? 'journalctl',
    );
    return {
      path: this.spec.path ?? `journald:${this.spec.matches.join('+')}`,
      status: 'ok',
      rotated: false,
      truncated: false,
      firstRun: position === undefined,
      segments: [segment],
      close: () => segment.close(),
    };
  }
}
