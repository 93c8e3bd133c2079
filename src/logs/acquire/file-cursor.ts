import { closeSync, readSync } from 'node:fs';
import { ChunkReader } from './chunk-reader.js';
import {
  findRotated,
  HEAD_BYTES,
  headHash,
  newerNumberedSiblings,
  openForRead,
  openRegular,
} from './source-files.js';
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

  private plan(committed: FilePosition | undefined): SourcePassPlan {
    const path = this.file();
    const open: number[] = [];
    const segments: SourceSegment[] = [];
    const close = () => {
      for (const fd of open.splice(0)) closeSync(fd);
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
    try {
      if (!committed) {
        if (!cur) return plan('missing', false, false);
        const size = Number(cur.stat.size);
        const start = Math.max(0, size - this.options.backfillBytes);
        const id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
        segments.push(
          new FileSegment(cur.fd, id, start, size, chunkBytes, {
            final: false,
            alignToLine: start > 0 && !lineStartsAt(cur.fd, start),
            live: true,
          }),
        );
        return plan('ok', false, false);
      }
      const same =
        cur !== undefined &&
        cur.stat.dev.toString() === committed.dev &&
        cur.stat.ino.toString() === committed.ino;
      if (!same) {
        // Rotated or replaced: first finish the old file (found by inode), then the new one.
        const oldPath = findRotated(path, committed.dev, committed.ino);
        const old = oldPath ? openForRead(oldPath) : undefined;
        if (old && oldPath) {
          open.push(old.fd);
          const size = Number(old.stat.size);
          if (size >= committed.offset && headHash(old.fd, committed.headLen) === committed.headHash) {
            segments.push(
              new FileSegment(old.fd, { ...committed, path: oldPath }, committed.offset, size, chunkBytes, {
                final: true,
                alignToLine: false,
                live: false,
              }),
            );
            // Rotated more than once since: the files rotated after it are read whole, oldest
            // first, so the middle file of a double rotation is not lost.
            for (const newer of newerNumberedSiblings(path, oldPath)) {
              const f = openForRead(newer);
              if (!f) continue;
              open.push(f.fd);
              const fsize = Number(f.stat.size);
              const fid = identity(newer, f.fd, f.stat.dev, f.stat.ino, fsize);
              segments.push(
                new FileSegment(f.fd, fid, 0, fsize, chunkBytes, {
                  final: true,
                  alignToLine: false,
                  live: false,
                }),
              );
            }
          }
        }
        if (!cur) return plan('missing', true, false);
        const size = Number(cur.stat.size);
        const id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
        segments.push(
          new FileSegment(cur.fd, id, 0, size, chunkBytes, { final: false, alignToLine: false, live: true }),
        );
        return plan('ok', true, false);
      }
      const size = Number(cur.stat.size);
      let offset = committed.offset;
      let id: Identity = { ...committed, path };
      let truncated = false;
      if (
        size < offset ||
        (size >= committed.headLen && headHash(cur.fd, committed.headLen) !== committed.headHash)
      ) {
        // Truncated (copytruncate) or rewritten in place: start over.
        truncated = true;
        offset = 0;
        id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
      } else if (committed.headLen < HEAD_BYTES && size > committed.headLen) {
        id = identity(path, cur.fd, cur.stat.dev, cur.stat.ino, size);
      }
      segments.push(
        new FileSegment(cur.fd, id, offset, size, chunkBytes, {
          final: false,
          alignToLine: false,
          live: true,
        }),
      );
      return plan('ok', false, truncated);
    } catch (error) {
      close();
      throw error;
    }
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
    if (cur) {
      const size = Number(cur.stat.size);
      const id = identity(this.path, cur.fd, cur.stat.dev, cur.stat.ino, size);
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
      },
    };
  }
}
