import type * as v from 'valibot';
import { checkSchema } from '../../kernel/schema.js';

/**
 * A JSON column that does not hold what its schema says (an old version wrote it, or someone
 * edited the file). Not a SafeError: the boundary that meets it logs it in full, with the table
 * and row, under a reference, and the rest of the bot goes on.
 */
export class StoredRowError extends Error {
  override readonly name = 'StoredRowError';
  constructor(
    readonly table: string,
    readonly row: string | number,
    problem: string,
  ) {
    super(`${table} row ${row}: the stored JSON does not match its schema (${problem})`);
  }
}

/** Parses one stored JSON column and checks it against its schema. */
export function parseStoredJson<const S extends v.GenericSchema>(
  text: string,
  schema: S,
  table: string,
  row: string | number,
): v.InferOutput<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredRowError(table, row, 'not JSON');
  }
  return checkSchema(value, schema, (problem) => new StoredRowError(table, row, problem));
}
