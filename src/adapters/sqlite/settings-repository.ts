import { randomUUID } from 'node:crypto';
import type { Database } from './database.js';

export class SettingsRepository {
  constructor(private readonly db: Database) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** The X-Plex-Client-Identifier of this installation: created once, then never changes. */
  plexClientIdentifier(): string {
    const existing = this.get('plex.clientIdentifier');
    if (existing) return existing;
    const created = randomUUID();
    this.db
      .prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)')
      .run('plex.clientIdentifier', created);
    return this.get('plex.clientIdentifier') ?? created;
  }
}
