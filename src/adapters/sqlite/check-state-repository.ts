import type { CheckState } from '../../domain/check-state.js';
import type { Database } from './database.js';
import { parseStoredJson } from './stored-json.js';

export class CheckStateRepository {
  constructor(private readonly db: Database) {}

  forCheck(checkId: string, now: () => number): CheckState {
    const select = this.db.prepare('SELECT value FROM check_state WHERE check_id = ? AND key = ?');
    const upsert = this.db.prepare(
      'INSERT INTO check_state (check_id, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (check_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    return {
      get(key, schema) {
        const row = select.get(checkId, key) as { value: string } | undefined;
        return row ? parseStoredJson(row.value, schema, 'check_state', `${checkId}/${key}`) : undefined;
      },
      set(key: string, value: unknown): void {
        upsert.run(checkId, key, JSON.stringify(value), now());
      },
    };
  }
}
