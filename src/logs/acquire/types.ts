/**
 * Acquisition: where a source's lines come from and how far they were read. A cursor knows its
 * kind of source (a file with rotation today; a journal read with `journalctl --after-cursor`
 * or a Docker json-file log next); the review loop only sees chunks of whole lines and an
 * opaque position that it commits together with the counts the chunks produced, so a crash
 * resumes exactly after the last commit (as CrowdSec's data sources keep their position per
 * source, `pkg/acquisition/modules/file/`).
 */

/** Where a file source stands: its identity (dev/inode plus a hash of its head) and the offset. */
export interface FilePosition {
  readonly kind: 'file';
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
  readonly headLen: number;
  readonly headHash: string;
  /** First byte not yet reviewed; always the start of a line. */
  readonly offset: number;
}

/**
 * Every kind of position a cursor hands out. Opaque to the review loop (it stores and gives back
 * what the cursor produced); a new kind of source adds its member here and its column to the store.
 */
export type SourcePosition = FilePosition | JournalPosition;

/**
 * Where a journald source stands: the `__CURSOR` of the last entry reviewed (journalctl(1)
 * `--after-cursor`), or, before any entry was seen, the time the first pass started from.
 */
export interface JournalPosition {
  readonly kind: 'journald';
  /** The journal's own cursor string of the last entry reviewed; null until there was one. */
  readonly cursor: string | null;
  /** With no cursor yet: read entries from this time on (ms since the epoch). */
  readonly since: number;
}

export interface SourceChunk {
  /** Complete lines as latin1 text (one char per byte), each ended by `\n` except maybe a final one. */
  readonly text: string;
  /** Bytes of the source this chunk accounts for (commit batching counts these). */
  readonly bytes: number;
}

/** One stretch of a source read in one go (a rotated file's tail, then the live file). */
export interface SourceSegment {
  /**
   * The next chunk of whole lines, or null when what is there now has been read. A promise so a
   * source fed by a process (journalctl) or a non-blocking open fits; a file answers at once.
   */
  next(): Promise<SourceChunk | null>;
  /** Position just after the last chunk handed out (before the first: where the segment starts). */
  readonly position: SourcePosition;
  /** Lines dropped for being longer than the bound since the last call (counted as skipped). */
  takeDroppedLines(): number;
  /** What this segment could not read (a damaged .gz), once; safe to log and show. */
  takeProblem?(): string | undefined;
  /** Reading this segment to its end means the source has been read up to now (ends a first pass). */
  readonly live: boolean;
}

export interface SourcePassPlan {
  /** What the pass reads now (for a file: the file path; shown in results and logs). */
  readonly path: string;
  /**
   * `not-a-file`: something other than a regular file (a FIFO, a device, a folder) is where
   * the log should be; it is reported, never opened for reading (a FIFO would block).
   */
  readonly status: 'ok' | 'missing' | 'not-a-file';
  /** Set with `not-a-file`, and for what a pass had to leave out (safe to log and show). */
  readonly problem?: string;
  readonly rotated: boolean;
  readonly truncated: boolean;
  /** Nothing was committed before: the pass starts from the backfill point. */
  readonly firstRun: boolean;
  /** In reading order; each ends with a commit of its last position. */
  readonly segments: readonly SourceSegment[];
  /** Releases what the pass holds open (descriptors, child processes). */
  close(): void;
}

/** A cursor over one source; lives across passes. */
export interface SourceCursor {
  /** Plans one pass starting after `committed` (undefined: never read). */
  pass(committed: SourcePosition | undefined): Promise<SourcePassPlan>;
}

export interface CursorOptions {
  /** Read size; the loop commits between chunks. */
  readonly chunkBytes: number;
  /** First run on an existing source: start at most this many bytes before its end. */
  readonly backfillBytes: number;
  /** A journal's first pass starts this long before now (older entries cannot produce findings). */
  readonly maxAgeMs: number;
  readonly now: () => number;
}
