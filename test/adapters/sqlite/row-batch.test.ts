import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/sqlite/database.js';
import { RowBatch } from '../../../src/adapters/sqlite/row-batch.js';

describe('a batch of rows written many per statement', () => {
  const table = () => {
    const db = openDatabase(':memory:', []);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, a INTEGER, b INTEGER, c TEXT, d INTEGER) STRICT');
    const batch = new RowBatch(
      db,
      'INSERT INTO t (k, a, b, c, d)',
      'ON CONFLICT (k) DO UPDATE SET a = a + excluded.a, c = excluded.c',
    );
    return { db, batch };
  };

  it('writes every row of any count, in order: a later row of the same key updates the earlier', () => {
    for (const n of [0, 1, 31, 32, 33, 95]) {
      const { db, batch } = table();
      for (let i = 0; i < n; i++) batch.push(`k${i % 40}`, 1, i, `v${i}`, 0);
      batch.flush();
      const rows = db.prepare('SELECT k, a, c FROM t ORDER BY k').all() as {
        k: string;
        a: number;
        c: string;
      }[];
      expect(rows, `${n} rows`).toHaveLength(Math.min(n, 40));
      expect(
        rows.reduce((s, r) => s + r.a, 0),
        `${n} rows`,
      ).toBe(n);
      // Key k0 was last written by the highest i with i % 40 === 0.
      if (n > 0) expect(rows.find((r) => r.k === 'k0')?.c).toBe(`v${Math.floor((n - 1) / 40) * 40}`);
      db.close();
    }
  });

  it('writes nothing of what was cleared, and a failed statement leaves the table to the transaction', () => {
    const { db, batch } = table();
    batch.push('x', 1, 0, 'x', 0);
    batch.clear();
    batch.flush();
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    batch.push('y', 'not a number', 0, 'y', 0);
    expect(() => db.transaction(() => batch.flush())()).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    db.close();
  });
});
