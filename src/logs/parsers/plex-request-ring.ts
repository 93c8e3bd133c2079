import { detach } from '../log-event.js';

/** Recent requests remembered for Auth lines (which follow their request within a few lines). */
const RING = 64;

/**
 * The last requests of a Plex log by thread id / request tag, for the `Auth: authenticated
 * user` line that follows its request. Recorded as positions into the text they were read
 * from: recording one costs no allocation (most lines are requests); strings are cut only when
 * an Auth line asks.
 */
export class PlexRequestRing {
  private readonly texts: string[] = new Array<string>(RING).fill('');
  /** Per slot: key start, key end, host start, host end. */
  private readonly pos = new Int32Array(RING * 4);
  private head = 0;
  private size = 0;

  /** A request whose key (thread id / tag) and host are both ranges of `text`. */
  record(text: string, keyFrom: number, keyTo: number, hostFrom: number, hostTo: number): void {
    const slot = this.head;
    this.texts[slot] = text;
    this.pos[slot * 4] = keyFrom;
    this.pos[slot * 4 + 1] = keyTo;
    this.pos[slot * 4 + 2] = hostFrom;
    this.pos[slot * 4 + 3] = hostTo;
    this.head = (slot + 1) % RING;
    if (this.size < RING) this.size++;
  }

  /** A request whose host is not in the text (a client behind a proxy, or saved state). */
  remember(key: string, host: string): void {
    const text = `${key} ${host}`;
    this.record(text, 0, key.length, key.length + 1, text.length);
  }

  /** The address of the latest remembered request with this thread id / request tag. */
  hostOf(key: string): string | undefined {
    for (let k = 1; k <= this.size; k++) {
      const slot = (this.head - k + RING) % RING;
      const from = this.pos[slot * 4] as number;
      const to = this.pos[slot * 4 + 1] as number;
      const t = this.texts[slot] as string;
      if (to - from === key.length && t.startsWith(key, from)) {
        return detach(t.slice(this.pos[slot * 4 + 2], this.pos[slot * 4 + 3]));
      }
    }
    return undefined;
  }

  /** `[key, host]` oldest first, for saved state (`remember` in that order restores it). */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let k = this.size; k >= 1; k--) {
      const slot = (this.head - k + RING) % RING;
      const t = this.texts[slot] as string;
      const p = this.pos;
      out.push([
        detach(t.slice(p[slot * 4], p[slot * 4 + 1])),
        detach(t.slice(p[slot * 4 + 2], p[slot * 4 + 3])),
      ]);
    }
    return out;
  }
}
