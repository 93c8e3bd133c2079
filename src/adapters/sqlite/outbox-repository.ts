import type * as v from 'valibot';
import type { Database } from './database.js';
import { parseStoredJson } from './stored-json.js';

export interface OutboxItem<T = unknown> {
  readonly id: number;
  readonly channelId: string;
  readonly payload: T;
  readonly createdAt: number;
  readonly attempts: number;
}

interface RawItem {
  id: number;
  channel_id: string;
  payload: string;
  created_at: number;
  attempts: number;
}

export class OutboxRepository {
  constructor(private readonly db: Database) {}

  /** Adds messages in order, all or none. */
  enqueue(channelId: string, payloads: readonly unknown[], now: number): number[] {
    const insert = this.db.prepare('INSERT INTO outbox (channel_id, payload, created_at) VALUES (?, ?, ?)');
    return this.db.transaction(() =>
      payloads.map((p) => Number(insert.run(channelId, JSON.stringify(p), now).lastInsertRowid)),
    )();
  }

  /** The oldest message, its payload checked against the schema it was queued with. */
  oldest<const S extends v.GenericSchema>(schema: S): OutboxItem<v.InferOutput<S>> | undefined {
    const raw = this.db.prepare('SELECT * FROM outbox ORDER BY id LIMIT 1').get() as RawItem | undefined;
    return raw
      ? {
          id: raw.id,
          channelId: raw.channel_id,
          payload: parseStoredJson(raw.payload, schema, 'outbox', raw.id),
          createdAt: raw.created_at,
          attempts: raw.attempts,
        }
      : undefined;
  }

  /** Replaces what a row still has to send (after part of it was accepted, or it was split). */
  update(id: number, payload: unknown): void {
    this.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run(JSON.stringify(payload), id);
  }

  /** Keeps a message Discord refused for good out of the queue, with the reason. */
  setAside(channelId: string, payload: unknown, reason: string, now: number): void {
    this.db
      .prepare('INSERT INTO outbox_set_aside (channel_id, payload, reason, set_aside_at) VALUES (?, ?, ?, ?)')
      .run(channelId, JSON.stringify(payload), reason.slice(0, 500), now);
  }

  /** How many messages were set aside since `since` (all of them by default). */
  setAsideCount(since = 0): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM outbox_set_aside WHERE set_aside_at >= ?').get(since) as {
        n: number;
      }
    ).n;
  }

  /** Every queued payload, in order (small: the queue only grows during an outage). */
  queued<T>(): T[] {
    const rows = this.db.prepare('SELECT payload FROM outbox ORDER BY id').all() as { payload: string }[];
    return rows.map((r) => JSON.parse(r.payload) as T);
  }

  delivered(id: number): void {
    this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
  }

  failed(id: number, error: string): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?')
      .run(error.slice(0, 500), id);
  }

  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }
}
