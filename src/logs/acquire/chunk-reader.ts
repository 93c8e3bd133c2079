import { readSync } from 'node:fs';

export interface Chunk {
  /** Complete lines as latin1 text, each ended by `\n` (the last one may lack it at a final EOF). */
  readonly text: string;
  /** File offset just after the last byte this chunk accounts for. */
  readonly endOffset: number;
}

export interface ChunkReaderOptions {
  readonly chunkBytes: number;
  /** Longer lines are dropped (counted) instead of growing the buffer without end. */
  readonly maxLineBytes: number;
  /**
   * The file will not grow any more (a rotated file): its last line counts even without a
   * newline. For the live file a trailing partial line is left for the next pass.
   */
  readonly final: boolean;
  /** Starting in the middle of a line (backfill): drop everything up to the first newline. */
  readonly alignToLine: boolean;
}

/**
 * Reads `[start, end)` of a file in large chunks and hands out whole lines only. latin1 keeps
 * one char per byte, so offsets stay byte-exact and invalid UTF-8 cannot break anything.
 */
/**
 * Most bytes one next() call reads while dropping an over-long line: a 20 GB hole of NULs (a
 * sparse file left by copytruncate) is then crossed in steps, the loop yielding in between.
 */
const SKIP_BYTES_PER_CALL = 4 * 1024 * 1024;

export class ChunkReader {
  private buf: Buffer;
  private carry = 0;
  private pos: number;
  private skipping: boolean;
  /** Offset after the last chunk handed out. */
  private lineEnd: number;
  /** Lines dropped for exceeding maxLineBytes. */
  longLines = 0;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
    private readonly options: ChunkReaderOptions,
  ) {
    this.pos = start;
    this.lineEnd = start;
    this.buf = Buffer.allocUnsafe(Math.max(4096, options.chunkBytes));
    this.skipping = options.alignToLine;
  }

  /** True while in the middle of dropping an over-long line: not a safe point to commit. */
  get midLine(): boolean {
    return this.skipping;
  }

  next(): Chunk | null {
    let skipped = 0;
    for (;;) {
      const want = Math.min(this.buf.length - this.carry, this.end - this.pos);
      const n = want > 0 ? readSync(this.fd, this.buf, this.carry, want, this.pos) : 0;
      this.pos += n;
      let filled = this.carry + n;
      if (this.skipping) {
        const nl = this.buf.indexOf(10);
        if (nl === -1 || nl >= filled) {
          this.carry = 0;
          if (n === 0) return null;
          skipped += n;
          // Nothing to hand out yet: an empty chunk that ends where the last one did.
          if (skipped >= SKIP_BYTES_PER_CALL) return { text: '', endOffset: this.lineEnd };
          continue;
        }
        this.skipping = false;
        this.buf.copy(this.buf, 0, nl + 1, filled);
        filled -= nl + 1;
        this.carry = filled;
      }
      if (filled === 0) return null;
      const last = this.buf.lastIndexOf(10, filled - 1);
      if (last === -1) {
        if (n === 0) {
          // End of the range (or the file shrank under us) inside a line.
          this.carry = filled;
          if (!this.options.final) return null;
          const text = this.buf.toString('latin1', 0, filled);
          this.carry = 0;
          return { text, endOffset: this.pos };
        }
        if (filled < this.buf.length) {
          this.carry = filled;
          continue;
        }
        if (this.buf.length < this.options.maxLineBytes) {
          const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.options.maxLineBytes));
          this.buf.copy(bigger, 0, 0, filled);
          this.buf = bigger;
          this.carry = filled;
          continue;
        }
        this.longLines++;
        this.skipping = true;
        this.carry = 0;
        continue;
      }
      const text = this.buf.toString('latin1', 0, last + 1);
      this.buf.copy(this.buf, 0, last + 1, filled);
      this.carry = filled - last - 1;
      this.lineEnd = this.pos - this.carry;
      return { text, endOffset: this.lineEnd };
    }
  }
}
