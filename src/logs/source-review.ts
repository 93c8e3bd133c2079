import { closeSync, readSync } from 'node:fs';
import type {
  AddressCountDelta,
  LogFileRow,
  LogFindingRow,
  LogReviewRepository,
} from '../adapters/sqlite/log-review-repository.js';
import type { LogDetectorSettings, LogSourceConfig, LogsConfig } from '../config/logs.js';
import type { FindingDraft } from '../domain/finding.js';
import {
  ADDR_INVALID,
  ADDR_OUTSIDE,
  AddressBook,
  type AddressBookOptions,
  type AddressInfo,
} from './address-book.js';
import { ChunkReader } from './chunk-reader.js';
import { detectors as registeredDetectors } from './detectors/index.js';
import type { Detector, DetectorInstance } from './detectors/types.js';
import { EV_BAD_TOKEN, EV_CLIENT_ERROR, EV_FAILURE, EV_ROUTINE, LogEvent } from './log-event.js';
import { createParser } from './parsers/index.js';
import type { LineParser } from './parsers/types.js';
import { currentFile, findRotated, HEAD_BYTES, headHash, identityOf, openForRead } from './source-files.js';

const CHUNK_BYTES = 64 * 1024;

/** True when `offset` is the first byte of a line (the byte before it is a newline). */
function lineStartsAt(fd: number, offset: number): boolean {
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, offset - 1) === 1 && one[0] === 10;
}
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const COUNTED = EV_FAILURE | EV_CLIENT_ERROR | EV_BAD_TOKEN;

export interface SourceReviewOptions {
  readonly source: LogSourceConfig;
  readonly settings: LogDetectorSettings;
  readonly logs: Pick<
    LogsConfig,
    'backfillBytes' | 'maxAgeMs' | 'findingRetentionMs' | 'timeZone' | 'commitBytes' | 'maxTrackedAddresses'
  >;
  /** Absent for a dry run: nothing is read from or written to the database. */
  readonly repo: LogReviewRepository | undefined;
  readonly now: () => number;
  readonly detectors?: readonly Detector[];
}

export interface SourcePassResult {
  readonly sourceId: string;
  readonly kind: string;
  readonly path: string;
  readonly status: 'ok' | 'missing';
  readonly bytes: number;
  readonly lines: number;
  readonly matched: number;
  readonly routine: number;
  readonly skipped: number;
  readonly rotated: boolean;
  readonly truncated: boolean;
  readonly firstRun: boolean;
}

interface Counters {
  lines: number;
  matched: number;
  routine: number;
  skipped: number;
}

/**
 * Reviews one source: reads new bytes, parses, feeds detectors, and commits offset, counts,
 * detector state and changed findings together. Lives across passes (the state stays in
 * memory); if a commit fails the owner throws this object away and a new one reloads the
 * last committed state, which is exactly where the file position is.
 */
export class SourceReview {
  readonly parser: LineParser;
  readonly instances: readonly DetectorInstance[];
  private readonly dirtyFindings: Map<string, number>[];
  private readonly interested: readonly number[];
  private readonly ev = new LogEvent();
  /** Per-address counts since the last commit (for a dry run: since the start). */
  readonly counts = new Map<string, AddressCountDelta>();
  private file: LogFileRow | undefined;
  private total: Counters = { lines: 0, matched: 0, routine: 0, skipped: 0 };
  private pass_: Counters = { lines: 0, matched: 0, routine: 0, skipped: 0 };
  private addresses!: AddressBook;
  private learning = false;
  private minTime = Number.NEGATIVE_INFINITY;
  private latest = Number.NEGATIVE_INFINITY;
  private passNow = 0;
  private rendered: LogFindingRow[] = [];

  constructor(private readonly o: SourceReviewOptions) {
    this.parser = createParser(o.source.kind, { timeZone: o.logs.timeZone, now: o.now });
    const enabled = o.settings.detectors;
    this.instances = (o.detectors ?? registeredDetectors)
      .filter((d) => enabled.includes(d.id))
      .map((d) =>
        d.create({ source: o.source, settings: o.settings, maxTracked: o.logs.maxTrackedAddresses }),
      );
    this.dirtyFindings = this.instances.map(() => new Map());
    // For every combination of EV_* bits: which detectors want such an event.
    this.interested = Array.from({ length: 64 }, (_, flags) =>
      this.instances.reduce((bits, inst, i) => ((inst.mask & flags) !== 0 ? bits | (1 << i) : bits), 0),
    );
    if (o.repo) {
      this.file = o.repo.file(o.source.id);
      if (this.file) {
        this.parser.loadState?.(this.file.parserState);
        this.total = {
          lines: this.file.lines,
          matched: this.file.matched,
          routine: 0,
          skipped: this.file.skipped,
        };
      }
      for (const inst of this.instances) inst.restore(o.repo.detectorState(o.source.id, inst.id));
    }
  }

  /** One incremental pass over the source's file(s). */
  pass(addresses: AddressBookOptions): SourcePassResult {
    this.addresses = new AddressBook(addresses);
    this.passNow = this.o.now();
    this.minTime = this.passNow - this.o.logs.maxAgeMs;
    this.pass_ = { lines: 0, matched: 0, routine: 0, skipped: 0 };
    const path = currentFile(this.o.source);
    const stored = this.file;
    let rotated = false;
    let truncated = false;
    let bytes = 0;
    const cur = openForRead(path);
    try {
      if (!stored) {
        if (!cur) return this.result(path, 'missing', 0, false, false, true);
        const size = Number(cur.stat.size);
        const start = Math.max(0, size - this.o.logs.backfillBytes);
        this.learning = true;
        const id = identityOf(path, cur.stat);
        const headLen = Math.min(size, HEAD_BYTES);
        bytes += this.readRange(
          cur.fd,
          { ...id, headLen, headHash: headHash(cur.fd, headLen) },
          start,
          size,
          {
            final: false,
            alignToLine: start > 0 && !lineStartsAt(cur.fd, start),
            endsFirstPass: true,
          },
        );
        return this.result(path, 'ok', bytes, false, false, true);
      }
      this.learning = stored.learning;
      const same =
        cur !== undefined && cur.stat.dev.toString() === stored.dev && cur.stat.ino.toString() === stored.ino;
      if (!same) {
        // Rotated or replaced: first finish the old file (found by inode), then the new one.
        rotated = true;
        const oldPath = findRotated(path, stored.dev, stored.ino);
        const old = oldPath ? openForRead(oldPath) : undefined;
        if (old && oldPath) {
          try {
            const size = Number(old.stat.size);
            if (size >= stored.offset && headHash(old.fd, stored.headLen) === stored.headHash) {
              bytes += this.readRange(old.fd, { ...stored, path: oldPath }, stored.offset, size, {
                final: true,
                alignToLine: false,
                endsFirstPass: false,
              });
            }
          } finally {
            closeSync(old.fd);
          }
        }
        if (!cur) return this.result(path, 'missing', bytes, rotated, false, false);
        const size = Number(cur.stat.size);
        const headLen = Math.min(size, HEAD_BYTES);
        const id = identityOf(path, cur.stat);
        bytes += this.readRange(cur.fd, { ...id, headLen, headHash: headHash(cur.fd, headLen) }, 0, size, {
          final: false,
          alignToLine: false,
          endsFirstPass: true,
        });
        return this.result(path, 'ok', bytes, rotated, false, false);
      }
      const size = Number(cur.stat.size);
      let offset = stored.offset;
      let headLen = stored.headLen;
      let hash = stored.headHash;
      if (size < offset || (size >= headLen && headHash(cur.fd, headLen) !== hash)) {
        // Truncated (copytruncate) or rewritten in place: start over.
        truncated = true;
        offset = 0;
        headLen = Math.min(size, HEAD_BYTES);
        hash = headHash(cur.fd, headLen);
      } else if (headLen < HEAD_BYTES && size > headLen) {
        headLen = Math.min(size, HEAD_BYTES);
        hash = headHash(cur.fd, headLen);
      }
      const id = identityOf(path, cur.stat);
      bytes += this.readRange(cur.fd, { ...id, headLen, headHash: hash }, offset, size, {
        final: false,
        alignToLine: false,
        endsFirstPass: true,
      });
      return this.result(path, 'ok', bytes, false, truncated, false);
    } finally {
      if (cur) closeSync(cur.fd);
    }
  }

  /** Reads a whole file for a dry run (`replay`): nothing stored, everything counted. */
  replay(fd: number, size: number, addresses: AddressBookOptions): void {
    this.addresses = new AddressBook(addresses);
    this.passNow = this.o.now();
    this.minTime = Number.NEGATIVE_INFINITY;
    this.learning = false;
    const reader = new ChunkReader(fd, 0, size, {
      chunkBytes: CHUNK_BYTES,
      maxLineBytes: MAX_LINE_BYTES,
      final: true,
      alignToLine: false,
    });
    for (let chunk = reader.next(); chunk !== null; chunk = reader.next()) this.processText(chunk.text);
    this.pass_.skipped += reader.longLines;
  }

  get counters(): Readonly<Counters> {
    return this.pass_;
  }

  /** Findings currently raised by this source (dry run: everything flagged). */
  renderAll(): FindingDraft[] {
    const out: FindingDraft[] = [];
    this.instances.forEach((inst, i) => {
      for (const ip of this.dirtyFindings[i]?.keys() ?? []) {
        const draft = inst.render(ip);
        if (draft) out.push(draft);
      }
    });
    return out;
  }

  private readRange(
    fd: number,
    identity: Omit<
      LogFileRow,
      'sourceId' | 'offset' | 'learning' | 'parserState' | 'lines' | 'matched' | 'skipped'
    >,
    start: number,
    end: number,
    opts: { final: boolean; alignToLine: boolean; endsFirstPass: boolean },
  ): number {
    const reader = new ChunkReader(fd, start, end, {
      chunkBytes: Math.min(CHUNK_BYTES, Math.max(4096, this.o.logs.commitBytes)),
      maxLineBytes: MAX_LINE_BYTES,
      final: opts.final,
      alignToLine: opts.alignToLine,
    });
    let offset = start;
    let sinceCommit = 0;
    for (let chunk = reader.next(); chunk !== null; chunk = reader.next()) {
      this.processText(chunk.text);
      sinceCommit += chunk.endOffset - offset;
      offset = chunk.endOffset;
      if (reader.longLines > 0) {
        this.pass_.skipped += reader.longLines;
        this.total.skipped += reader.longLines;
        reader.longLines = 0;
      }
      if (sinceCommit >= this.o.logs.commitBytes && !reader.midLine) {
        this.commit(identity, offset, this.learning);
        sinceCommit = 0;
      }
    }
    // The first pass is over once the live file was read to its end.
    if (opts.endsFirstPass) this.learning = false;
    // Render before windows are swept; sweep by the log's own clock (a skewed zone must not
    // end every window at once).
    this.collectFindings();
    const now = Number.isFinite(this.latest) ? this.latest : this.passNow;
    for (const inst of this.instances) inst.sweep(now);
    this.commit(identity, offset, this.learning);
    return offset - start;
  }

  private processText(text: string): void {
    const ev = this.ev;
    const parser = this.parser;
    const c = this.pass_;
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
          this.handle(ev);
          ev.reset();
        }
      }
      p = nl + 1;
    }
    c.lines += lines;
    c.skipped += skipped;
    this.total.lines += lines;
    this.total.skipped += skipped;
  }

  /** Kept small so it inlines into the line loop; the rarer work lives in count() and dispatch(). */
  private handle(ev: LogEvent): void {
    const flags = ev.flags;
    if ((flags & EV_ROUTINE) !== 0) {
      this.pass_.routine++;
      this.total.matched++;
      this.pass_.matched++;
      return;
    }
    const info = this.addresses.lookupRange(ev.ipText, ev.ipStart, ev.ipEnd);
    if (info.kind === ADDR_INVALID) {
      this.pass_.skipped++;
      this.total.skipped++;
      return;
    }
    this.pass_.matched++;
    this.total.matched++;
    if ((flags & COUNTED) !== 0) this.count(ev, info.ip);
    if (info.kind !== ADDR_OUTSIDE) return;
    // Most lines: a 2xx from an address every interested detector already knows.
    const interested = this.interested[flags] as number;
    if ((info.settled & interested) !== interested) this.dispatch(ev, info);
  }

  private count(ev: LogEvent, ip: string): void {
    const flags = ev.flags;
    const time = this.timeOf(ev);
    let d = this.counts.get(ip);
    if (d === undefined) {
      d = { failures: 0, clientErrors: 0, badTokens: 0, lastAt: time };
      this.counts.set(ip, d);
    }
    if ((flags & EV_FAILURE) !== 0) d.failures++;
    if ((flags & EV_CLIENT_ERROR) !== 0) d.clientErrors++;
    if ((flags & EV_BAD_TOKEN) !== 0) d.badTokens++;
    if (time > d.lastAt) d.lastAt = time;
  }

  private dispatch(ev: LogEvent, info: AddressInfo): void {
    const flags = ev.flags;
    const ip = info.ip;
    const instances = this.instances;
    let wanted = 0;
    for (let i = 0; i < instances.length; i++) {
      const bit = 1 << i;
      const inst = instances[i] as DetectorInstance;
      if ((inst.mask & flags) === 0 || (info.settled & bit) !== 0) continue;
      if (inst.settled(ip)) info.settled |= bit;
      else wanted |= bit;
    }
    if (wanted === 0) return;
    const time = this.timeOf(ev);
    if (time < this.minTime) return;
    if (time > this.latest) this.latest = time;
    for (let i = 0; i < instances.length; i++) {
      if (
        (wanted & (1 << i)) !== 0 &&
        (instances[i] as DetectorInstance).observe(ev, ip, time, this.learning)
      ) {
        (this.dirtyFindings[i] as Map<string, number>).set(ip, time);
      }
    }
  }

  private timeOf(ev: LogEvent): number {
    const t = ev.time;
    return Number.isNaN(t) ? this.passNow : t;
  }

  private commit(
    identity: Omit<
      LogFileRow,
      'sourceId' | 'offset' | 'learning' | 'parserState' | 'lines' | 'matched' | 'skipped'
    >,
    offset: number,
    learning: boolean,
  ): void {
    const repo = this.o.repo;
    if (!repo) return;
    const { source } = this.o;
    this.collectFindings();
    const findings = this.rendered;
    const file: LogFileRow = {
      sourceId: source.id,
      path: identity.path,
      dev: identity.dev,
      ino: identity.ino,
      headLen: identity.headLen,
      headHash: identity.headHash,
      offset,
      learning,
      parserState: this.parser.saveState?.() ?? null,
      lines: this.total.lines,
      matched: this.total.matched,
      skipped: this.total.skipped,
    };
    repo.commit(
      {
        file,
        writeStates: (write, remove) => {
          for (const inst of this.instances) {
            inst.drain(
              (row) => write(inst.id, row),
              (ip) => remove(inst.id, ip),
            );
          }
        },
        counts: this.counts,
        findings,
      },
      this.o.now(),
    );
    this.file = file;
    this.counts.clear();
    this.rendered = [];
  }

  /** Renders the findings changed since the last commit (kept until the commit lands). */
  private collectFindings(): void {
    const { source, logs } = this.o;
    this.instances.forEach((inst, i) => {
      const dirty = this.dirtyFindings[i] as Map<string, number>;
      for (const [ip, lastAt] of dirty) {
        const draft = inst.render(ip);
        if (!draft) continue;
        const expiresAt = Math.max(lastAt, this.passNow) + logs.findingRetentionMs;
        this.rendered.push({
          key: draft.key,
          sourceId: source.id,
          detector: inst.id,
          ip,
          draft,
          lastAt,
          expiresAt,
        });
      }
      dirty.clear();
    });
  }

  private result(
    path: string,
    status: 'ok' | 'missing',
    bytes: number,
    rotated: boolean,
    truncated: boolean,
    firstRun: boolean,
  ): SourcePassResult {
    return {
      sourceId: this.o.source.id,
      kind: this.o.source.kind,
      path,
      status,
      bytes,
      ...this.pass_,
      rotated,
      truncated,
      firstRun,
    };
  }
}
