import { closeSync, readSync } from 'node:fs';
import { ChunkReader } from './chunk-reader.js';
import { GzipSegment } from './gzip-segment.js';
import { type LocatedFile, locateRotated, newerSiblings, type RotatedSibling } from './rotated-siblings.js';
import { HEAD_BYTES, headHash, openForRead, openRegular, statRegular } from './source-files.js';
import type {
  CursorOptions,
  FilePosition,
  SourceChunk,
  SourceCursor,
  SourcePassPlan,
  SourcePosition,
  SourceSegment,
} from './types.js';

const MAX_LINE_BYTES = 16 * 1024 * 1024;

type Identity = Omit<FilePosition, 'offset'>;

/** True when `offset` is the first byte of a line (the byte before it is a newline). */
function lineStartsAt(fd: number, offset: number): boolean {
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, offset - 1) === 1 && one[0] === 10;
}

function identity(path: string, fd: number, dev: bigint, ino: bigint, size: number): Identity {
  const headLen = Math.min(size, HEAD_BYTES);
  return {
    kind: 'file',
    path,
    dev: dev.toString(),
    ino: ino.toString(),
    headLen,
    headHash: headHash(fd, headLen),
  };
}

/** `[start, end)` of one open file, handed out as chunks of whole lines. */
class FileSegment implements SourceSegment {
  private readonly reader: ChunkReader;
  private offset: number;

  constructor(
    fd: number,
    private readonly id: Identity,
    start: number,
    end: number,
    chunkBytes: number,
    opts: { final: boolean; alignToLine: boolean; live: boolean },
  ) {
    this.offset = start;
    this.live = opts.live;
    this.reader = new ChunkReader(fd, start, end, {
      chunkBytes,
      maxLineBytes: MAX_LINE_BYTES,
      final: opts.final,
      alignToLine: opts.alignToLine,
    });
  }

  readonly live: boolean;

  async next(): Promise<SourceChunk | null> {
    const chunk = this.reader.next();
    if (chunk === null) return null;
    const bytes = chunk.endOffset - this.offset;
    this.offset = chunk.endOffset;
    return { text: chunk.text, bytes };
  }

  get position(): SourcePosition {
    return { ...this.id, offset: this.offset };
  }

  takeDroppedLines(): number {
    const n = this.reader.longLines;
    this.reader.longLines = 0;
    return n;
  }
}

export function notAFileProblem(path: string, what: string): string {
  return `${path} is ${what}, not a log file: not read`;
}

/**
 * A log file followed across rotation (renamed away: its unread tail is finished first, found
 * by inode), truncation (copytruncate, or rewritten in place: the head hash changed) and first
 * runs (backfill from the end, aligned to a line). `file()` names the file to read now, so a
 * Plex Logs folder resolves to its main file on every pass.
 */
export class FileCursor implements SourceCursor {
  constructor(
    private readonly file: () => string,
    private readonly options: CursorOptions,
  ) {}

  async pass(committed: SourcePosition | undefined): Promise<SourcePassPlan> {
    // A position of another kind (the source was changed to a file): start as a first run.
    return this.plan(committed?.kind === 'file' ? committed : undefined);
  }

  private async plan(committed: FilePosition | undefined): Promise<SourcePassPlan> {
    const path = this.file();
    const open: number[] = [];
    const segments: SourceSegment[] = [];
    const close = () => {
      for (const fd of open.splice(0)) closeSync(fd);
      for (const s of segments) if (s instanceof GzipSegment) s.close();
    };
    const plan = (
      status: SourcePassPlan['status'],
      rotated: boolean,
      truncated: boolean,
      problem?: string,
    ): SourcePassPlan => ({
      path,
      status,
      ...(problem === undefined ? {} : { problem }),
      rotated,
      truncated,
      firstRun: committed === undefined,
      segments,
      close,
    });
    const chunkBytes = this.options.chunkBytes;
    const opened = openRegular(path);
    if (opened && 'notAFile' in opened) {
      // Nothing is read and nothing committed: once a regular file is back, it resumes.
      return plan('not-a-file', false, false, notAFileProblem(path, opened.notAFile));
    }
    const cur = opened;
    if (cur) open.push(cur.fd);
    const live = (from: number, id: Identity, alignToLine = false) =>
      new FileSegment(cur?.fd ?? -1, id, from, Number(cur?.stat.size ?? 0), chunkBytes, {
        final: false,
        alignToLine,
        live: true,
      });
    try {
      if (!committed) {
        if (!cur) return plan('missing', false, false);
        const size = Number(cur.stat.size);
        const start = Math.max(0, size - this.options.backfillBytes);
        const id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
        segments.push(live(start, id, start > 0 && !lineStartsAt(cur.fd, start)));
        return plan('ok', false, false);
      }
      const sameInode =
        cur !== undefined &&
        cur.stat.dev.toString() === committed.dev &&
        cur.stat.ino.toString() === committed.ino;
      if (sameInode) {
        const size = Number(cur.stat.size);
        const rewritten =
          size < committed.offset ||
          (size >= committed.headLen && headHash(cur.fd, committed.headLen) !== committed.headHash);
        if (!rewritten) {
          let id: Identity = { ...committed, path };
          if (committed.headLen < HEAD_BYTES && size > committed.headLen)
            id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
          segments.push(live(committed.offset, id));
          return plan('ok', false, false);
        }
      }
      // Rotated, replaced, compressed or truncated (copytruncate): first finish the old file
      // wherever it went, then the files rotated after it, then the live one from its start.
      const exclude = cur ? { dev: cur.stat.dev.toString(), ino: cur.stat.ino.toString() } : undefined;
      const old = await locateRotated(path, committed, exclude);
      if (old) {
        segments.push(this.rotatedSegment(old, committed, open));
        // Rotated more than once since: the files rotated after it are read whole, oldest
        // first, so the middle file of a double rotation is not lost.
        for (const newer of newerSiblings(path, old.sibling)) {
          const segment = this.wholeSegment(newer, open);
          if (segment) segments.push(segment);
        }
      }
      if (!cur) return plan('missing', true, false);
      const id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, Number(cur.stat.size));
      segments.push(live(0, id));
      // Same inode, other content, and no copy of the old content beside it: truncated in place.
      return plan('ok', old !== undefined || !sameInode, sameInode);
    } catch (error) {
      close();
      throw error;
    }
  }

  /** The unread tail of the committed file in its new place. */
  private rotatedSegment(old: LocatedFile, committed: FilePosition, open: number[]): SourceSegment {
    const chunkBytes = this.options.chunkBytes;
    const where = { ...committed, path: old.sibling.path };
    if (old.fd === null) {
      // Positions inside a .gz are taken under its own inode, in decompressed bytes.
      const id = { ...where, dev: old.stat.dev.toString(), ino: old.stat.ino.toString() };
      return new GzipSegment(old.sibling.path, id, id, {
        chunkBytes,
        maxLineBytes: MAX_LINE_BYTES,
        start: committed.offset,
      });
    }
    open.push(old.fd);
    return new FileSegment(old.fd, where, committed.offset, Number(old.stat.size), chunkBytes, {
      final: true,
      alignToLine: false,
      live: false,
    });
  }

  /** A file rotated after the committed one: read from its start to its end. */
  private wholeSegment(s: RotatedSibling, open: number[]): SourceSegment | undefined {
    const chunkBytes = this.options.chunkBytes;
    if (s.gz) {
      const st = statRegular(s.path);
      if (!st) return undefined;
      const base = { kind: 'file' as const, path: s.path, dev: st.dev.toString(), ino: st.ino.toString() };
      return new GzipSegment(s.path, null, base, { chunkBytes, maxLineBytes: MAX_LINE_BYTES, start: 0 });
    }
    const f = openForRead(s.path);
    if (!f) return undefined;
    open.push(f.fd);
    const size = Number(f.stat.size);
    const id = identity(s.path, f.fd, f.stat.dev, f.stat.ino, size);
    return new FileSegment(f.fd, id, 0, size, chunkBytes, { final: true, alignToLine: false, live: false });
  }
}

/**
 * A whole file read once to its end, last line included (`replay`, like CrowdSec's one-shot
 * mode): no backfill bound, no rotation, nothing resumed.
 */
export class WholeFileCursor implements SourceCursor {
  constructor(
    private readonly path: string,
    private readonly chunkBytes: number,
  ) {}

  async pass(): Promise<SourcePassPlan> {
    const opened = openRegular(this.path);
    if (opened && 'notAFile' in opened) {
      return {
        path: this.path,
        status: 'not-a-file',
        problem: notAFileProblem(this.path, opened.notAFile),
        rotated: false,
        truncated: false,
        firstRun: true,
        segments: [],
        close: () => {},
      };
    }
    const cur = opened;
    const segments: SourceSegment[] = [];
    if (cur && this.path.endsWith('.gz')) {
      // A rotated, compressed log (`replay access.log.2.gz`): streamed, as a live pass would.
      const base = {
        kind: 'file' as const,
        path: this.path,
        dev: cur.stat.dev.toString(),
        ino: cur.stat.ino.toString(),
      };
      segments.push(
        new GzipSegment(this.path, null, base, {
          chunkBytes: this.chunkBytes,
          maxLineBytes: MAX_LINE_BYTES,
          start: 0,
        }),
      );
    } else if (cur) {
      const size = Number(cur.stat.size);
      // Never resumed, so the position needs no head hash (headLen 0, as a position taken
      // before any byte was written): hashing the head loaded node:crypto for nothing, a few
      // ms of the replay's start-up (bench/startup.ts).
      const id: Identity = {
        kind: 'file',
        path: this.path,
        dev: cur.stat.dev.toString(),
        ino: cur.stat.ino.toString(),
        headLen: 0,
        headHash: '',
      };
      segments.push(
        new FileSegment(cur.fd, id, 0, size, this.chunkBytes, {
          final: true,
          alignToLine: false,
          live: true,
        }),
      );
    }
    return {
      path: this.path,
      status: cur ? 'ok' : 'missing',
      rotated: false,
      truncated: false,
      firstRun: true,
      segments,
      close: () => {
        if (cur) closeSync(cur.fd);
        for (const segment of segments) if (segment instanceof GzipSegment) segment.close();
      },
    };
  }
}
