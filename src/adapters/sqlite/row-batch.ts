import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.js';

/** Rows per multi-row statement, and the smaller ones a remainder is written with (powers of two). */
const BATCH_ROWS = [32, 16, 8, 4, 2, 1] as const;
/** The rows batched here (detector state, daily counts) have five columns each. */
const COLUMNS = 5;

/**
 * One `INSERT ... VALUES (...), (...) ...` for many rows instead of a statement per row: under a
 * flood a commit writes thousands of rows, and a statement per row spent about half of their time
 * crossing into SQLite and stepping (measured: 40,000 upserts of detector state, 323 ms one by
 * one, 165 ms 16 at a time). Rows are applied in the order pushed, as one statement each would;
 * `flush` writes what is pending (before anything else touches the table, and before the commit
 * ends). `tail` is what follows the VALUES list (an ON CONFLICT clause). SQLite takes up to
 * 32,766 parameters per statement (https://www.sqlite.org/limits.html).
 */
export class RowBatch {
  /** Statements for BATCH_ROWS[i] rows. */
  private readonly statements: BetterSqlite3.Statement[];
  private readonly values: unknown[] = [];
  private readonly full = BATCH_ROWS[0] * COLUMNS;

  constructor(db: Database, head: string, tail = '') {
    const row = `(${Array.from({ length: COLUMNS }, () => '?').join(', ')})`;
    this.statements = BATCH_ROWS.map((n) =>
      db.prepare(`${head} VALUES ${Array.from({ length: n }, () => row).join(', ')} ${tail}`),
    );
  }

  push(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
    const v = this.values;
    v.push(a, b, c, d, e);
    if (v.length === this.full) {
      (this.statements[0] as BetterSqlite3.Statement).run(v);
      v.length = 0;
    }
  }

  flush(): void {
    const v = this.values;
    // Called before every delete: most calls find nothing pending.
    if (v.length === 0) return;
    let at = 0;
    for (let i = 1; i < BATCH_ROWS.length && at < v.length; i++) {
      const width = (BATCH_ROWS[i] as number) * COLUMNS;
      if (v.length - at < width) continue;
      (this.statements[i] as BetterSqlite3.Statement).run(v.slice(at, at + width));
      at += width;
    }
    v.length = 0;
  }

  /** Drops what is pending (the transaction failed: nothing of it may reach the next one). */
  clear(): void {
    this.values.length = 0;
  }
}
