import type { SourceChunk, SourceCursor, SourcePassPlan, SourcePosition, SourceSegment } from './types.js';

/** A message split over more partial entries than this much text is dropped (counted). */
const MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

/**
 * The lines of one Docker json-file log chunk. Docker's json-file driver writes one JSON object
 * per line, `{"log":"Log line is here\n","stream":"stdout","time":"2019-01-01T11:11:11.111111111Z"}`
 * (https://docs.docker.com/engine/logging/drivers/json-file/); a line longer than the daemon's
 * buffer (16 KiB) is written as several entries whose `log` does not end in `\n` until the last
 * one (moby daemon/logger/copier.go, PartialMetaData). `stream` and `time` are not used: the
 * program's own line carries its time, and stderr (nginx's error log) is read like stdout.
 */
export class DockerUnwrapper {
  /** The message being assembled from partial entries. */
  pending = '';
  /** Source bytes of the entries in `pending` (not yet safe to commit past). */
  pendingBytes = 0;
  dropped = 0;
  private overflow = false;

  /** Unwraps whole JSON lines (latin1 text, one char per byte) into the program's lines. */
  unwrap(text: string): string {
    let out = '';
    let from = 0;
    while (from < text.length) {
      let nl = text.indexOf('\n', from);
      if (nl === -1) nl = text.length;
      const raw = text.slice(from, nl);
      from = nl + 1;
      this.pendingBytes += raw.length + 1;
      if (raw.trim() === '') continue;
      let log: unknown;
      try {
        // The file is UTF-8 read as latin1: decode it so escapes and characters agree.
        log = (JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')) as { log?: unknown }).log;
      } catch {
        log = undefined;
      }
      if (typeof log !== 'string') {
        this.dropped++;
        this.pending = '';
        this.pendingBytes = 0;
        continue;
      }
      if (!this.overflow) this.pending += log;
      if (this.pending.length > MAX_MESSAGE_CHARS) {
        this.overflow = true;
        this.pending = '';
      }
      if (!log.endsWith('\n')) continue;
      if (this.overflow) this.dropped++;
      else {
        // One entry is one line: an embedded \r or a stray newline cannot split it.
        const body = this.pending.slice(0, -1).replace(/[\r\n]/g, ' ');
        out += `${Buffer.from(body, 'utf8').toString('latin1')}\n`;
      }
      this.pending = '';
      this.pendingBytes = 0;
      this.overflow = false;
    }
    return out;
  }
}

/** A file segment of a json-file log, handing out the unwrapped lines. */
class DockerSegment implements SourceSegment {
  private readonly unwrap = new DockerUnwrapper();

  constructor(private readonly inner: SourceSegment) {}

  get live(): boolean {
    return this.inner.live;
  }

  /** Never past a message still being assembled from partial entries. */
  get position(): SourcePosition {
    const p = this.inner.position;
    if (p.kind !== 'file' || this.unwrap.pendingBytes === 0) return p;
    return { ...p, offset: p.offset - this.unwrap.pendingBytes };
  }

  takeDroppedLines(): number {
    const n = this.unwrap.dropped + this.inner.takeDroppedLines();
    this.unwrap.dropped = 0;
    return n;
  }

  takeProblem(): string | undefined {
    return this.inner.takeProblem?.();
  }

  async next(): Promise<SourceChunk | null> {
    const chunk = await this.inner.next();
    if (chunk === null) return null;
    return { text: this.unwrap.unwrap(chunk.text), bytes: chunk.bytes };
  }
}

/** Any file cursor over a Docker json-file log: the same rotation and positions, lines unwrapped. */
export class DockerCursor implements SourceCursor {
  constructor(private readonly files: SourceCursor) {}

  async pass(committed: SourcePosition | undefined): Promise<SourcePassPlan> {
    const plan = await this.files.pass(committed);
    return { ...plan, segments: plan.segments.map((s) => new DockerSegment(s)), close: plan.close };
  }
}
