import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { pipeline, type Readable } from 'node:stream';
import type * as Zlib from 'node:zlib';
import { HEAD_BYTES, hashHead } from './source-files.js';
import type { FilePosition, SourceChunk, SourcePosition, SourceSegment } from './types.js';

type Identity = Omit<FilePosition, 'offset'>;

/** Compressed bytes read at a time; zlib's output is bounded the same way (stream backpressure). */
const READ_BYTES = 64 * 1024;

const require = createRequire(import.meta.url);
/**
 * node:zlib is loaded with the first compressed file, not at start: most passes and replays read
 * none, and loading it is some 8 ms of CPU.
 */
let zlib: typeof Zlib | undefined;

/** A gzip stream over one file: the file read in small pieces, decompressed as it is pulled. */
function gunzipStream(path: string): Readable {
  zlib ??= require('node:zlib') as typeof Zlib;
  // pipeline() carries an error of either stage (a missing file, a corrupt stream) to the end.
  return pipeline(createReadStream(path, { highWaterMark: READ_BYTES }), zlib.createGunzip(), () => {});
}

/**
 * The first `length` decompressed bytes of a .gz file, or undefined when it cannot be read or is
 * not gzip. Only as much of the file is inflated as the head needs, so looking at a large archive
 * costs one small read.
 */
export async function gzipHead(path: string, length: number): Promise<Buffer | undefined> {
  const stream = gunzipStream(path);
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      parts.push(part);
      have += part.length;
      if (have >= length) break;
    }
  } catch {
    // Not gzip, or damaged before its head was complete: it cannot be the file we look for.
    return undefined;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, length);
}

export interface GzipSegmentOptions {
  readonly chunkBytes: number;
  readonly maxLineBytes: number;
  /** Content offset (decompressed bytes) of the first line to hand out: where a previous pass stopped. */
  readonly start: number;
}

/**
 * A rotated log compressed by logrotate (`compress`, with or without `delaycompress`), read as a
 * stream: memory stays within a chunk plus one line however large the archive. Offsets are in
 * decompressed bytes, the same coordinates the file had before it was compressed, so a position
 * taken in the plain file carries over to its .gz. The archive does not grow, so its last line
 * counts without a newline. A truncated or corrupt archive (`gzip -t` fails) ends the segment
 * where the damage starts: the whole lines before it are handed out, the broken line is counted
 * as dropped, and `takeProblem()` says what happened; the pass goes on with the next file.
 */
export class GzipSegment implements SourceSegment {
  readonly live = false;
  /** Opened on the first next(): a pass plans every segment before it reads any. */
  private stream: Readable | undefined;
  private iterator: AsyncIterator<Buffer> | undefined;
  private parts: Buffer[] = [];
  private pending = 0;
  /** Content bytes pulled from the stream so far. */
  private pulled = 0;
  /** Content offset after the last chunk handed out. */
  private lineEnd: number;
  private skippingLine = false;
  private finished = false;
  private dropped = 0;
  private problem: string | undefined;
  private head: Buffer[] = [];
  private headHave = 0;

  /**
   * `id` is the identity to commit positions under; null means "this file, read from its start":
   * the identity is then taken from the content's own head as it streams by.
   */
  constructor(
    private readonly path: string,
    private id: Identity | null,
    private readonly idBase: Omit<Identity, 'headLen' | 'headHash'>,
    private readonly options: GzipSegmentOptions,
  ) {
    this.lineEnd = options.start;
  }

  /** Releases the file and the inflater (the pass is over, or it stopped early). */
  close(): void {
    this.finished = true;
    this.stream?.destroy();
  }

  get position(): SourcePosition {
    return { ...this.identity(), offset: this.lineEnd };
  }

  takeDroppedLines(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  takeProblem(): string | undefined {
    const p = this.problem;
    this.problem = undefined;
    return p;
  }

  async next(): Promise<SourceChunk | null> {
    if (this.finished) return null;
    if (!this.iterator) {
      this.stream = gunzipStream(this.path);
      this.iterator = (this.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    }
    for (;;) {
      let step: IteratorResult<Buffer>;
      try {
        step = await this.iterator.next();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        this.problem = `${this.path} is truncated or corrupt (${typeof code === 'string' ? code : 'unreadable'}): read up to byte ${this.pulled} of its content`;
        return this.finish(false);
      }
      if (step.done) return this.finish(true);
      const chunk = this.take(step.value);
      if (chunk) return chunk;
    }
  }

  /** Adds pulled content; returns a chunk once enough whole lines are there. */
  private take(data: Buffer): SourceChunk | null {
    this.noteHead(data);
    let buf = data;
    const before = this.pulled;
    this.pulled += buf.length;
    if (before < this.options.start) {
      // Already reviewed in an earlier pass: thrown away as it streams by.
      const skip = Math.min(buf.length, this.options.start - before);
      buf = buf.subarray(skip);
      if (buf.length === 0) return null;
    }
    if (this.skippingLine) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        this.lineEnd = this.pulled;
        return null;
      }
      this.skippingLine = false;
      buf = buf.subarray(nl + 1);
      this.lineEnd = this.pulled - buf.length;
    }
    this.parts.push(buf);
    this.pending += buf.length;
    if (this.pending < this.options.chunkBytes) return null;
    const all = this.joined();
    const last = all.lastIndexOf(10);
    if (last === -1) {
      if (this.pending > this.options.maxLineBytes) {
        // One line longer than the bound: dropped (counted), never buffered whole.
        this.dropped++;
        this.parts = [];
        this.pending = 0;
        this.skippingLine = true;
        this.lineEnd = this.pulled;
      }
      return null;
    }
    return this.emit(all, last + 1);
  }

  private finish(clean: boolean): SourceChunk | null {
    this.close();
    const all = this.joined();
    if (clean) return all.length > 0 ? this.emit(all, all.length) : null;
    // Damaged: whole lines only; the line the damage cut is dropped and counted.
    const last = all.lastIndexOf(10);
    if (all.length > last + 1) this.dropped++;
    this.parts = [];
    this.pending = 0;
    return last === -1 ? null : this.emit(all, last + 1);
  }

  private emit(all: Buffer, upTo: number): SourceChunk {
    const text = all.toString('latin1', 0, upTo);
    const rest = all.subarray(upTo);
    this.parts = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.pending = rest.length;
    const startedAt = this.lineEnd;
    this.lineEnd += upTo;
    return { text, bytes: this.lineEnd - startedAt };
  }

  private joined(): Buffer {
    if (this.parts.length === 1) return this.parts[0] as Buffer;
    const all = Buffer.concat(this.parts, this.pending);
    this.parts = [all];
    return all;
  }

  private noteHead(data: Buffer): void {
    if (this.id !== null || this.headHave >= HEAD_BYTES) return;
    const part = data.subarray(0, HEAD_BYTES - this.headHave);
    this.head.push(Buffer.from(part));
    this.headHave += part.length;
  }

  private identity(): Identity {
    if (this.id !== null) return this.id;
    const head = Buffer.concat(this.head, this.headHave);
    const id = { ...this.idBase, headLen: head.length, headHash: hashHead(head) };
    // Fixed once the head is complete (or the archive ended shorter than it).
    if (this.headHave >= HEAD_BYTES || this.finished) this.id = id;
    return id;
  }
}
