/** What a Request line left for its Completed line. */
export const TOKEN_OTHER = 0;
export const TOKEN_REFUSED = 1;
export const TOKEN_NONE = 2;

const PENDING_CAP = 2048;

export interface Pending {
  readonly token: number;
  /** The client behind a trusted proxy, '' when the connecting address is the client. */
  readonly client: string;
}

/**
 * Requests of a Plex log whose Completed line needs them, keyed `ip:port path`: a refused or
 * missing token (the 401 means a bad token, or only a client error) and a client behind a
 * trusted proxy (the Completed line is charged to it). Bounded: the oldest goes first.
 */
export class PlexPendingRequests {
  private entries = new Map<string, Pending>();
  /** Entries that carry a proxied client (while any do, every Completed line is looked up). */
  private proxiedCount = 0;

  get size(): number {
    return this.entries.size;
  }

  get proxied(): number {
    return this.proxiedCount;
  }

  /** A request seen again keeps its place in the eviction order. */
  add(key: string, pending: Pending): void {
    if (this.entries.size >= PENDING_CAP) this.take(this.entries.keys().next().value as string);
    if (this.entries.get(key)?.client) this.proxiedCount--;
    this.entries.set(key, pending);
    if (pending.client !== '') this.proxiedCount++;
  }

  /** The entry for the key, removed. */
  take(key: string): Pending | undefined {
    const pending = this.entries.get(key);
    if (pending === undefined) return undefined;
    this.entries.delete(key);
    if (pending.client !== '') this.proxiedCount--;
    return pending;
  }

  save(): [string, number, string][] {
    return [...this.entries].map(([k, v]) => [k, v.token, v.client]);
  }

  load(saved: readonly unknown[]): void {
    this.entries = new Map();
    this.proxiedCount = 0;
    for (const e of saved) {
      // Before 1.43 shapes only refused-token keys were saved, as bare strings.
      if (typeof e === 'string') this.add(e, { token: TOKEN_REFUSED, client: '' });
      else if (
        Array.isArray(e) &&
        typeof e[0] === 'string' &&
        typeof e[1] === 'number' &&
        typeof e[2] === 'string'
      )
        this.add(e[0], { token: e[1], client: e[2] });
    }
  }
}
