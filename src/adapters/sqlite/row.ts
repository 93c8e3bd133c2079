/** `removal_stuck_at` → `removalStuckAt`. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

/** A row as a domain object: camelCase names, SQL NULL as undefined. */
export type FromRow<R> = {
  readonly [K in keyof R & string as Camel<K>]: null extends R[K] ? Exclude<R[K], null> | undefined : R[K];
};

const names = new Map<string, string>();

function camel(column: string): string {
  let name = names.get(column);
  if (name === undefined) {
    name = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    names.set(column, name);
  }
  return name;
}

/**
 * The one row mapping of the repositories: every column but `except` under its camelCase
 * name, NULL as undefined. Columns that need more (stored JSON, a list) are left out and
 * mapped by the repository beside it.
 */
export function fromRow<R extends object, K extends keyof R & string = never>(
  row: R,
  ...except: K[]
): FromRow<Omit<R, K>> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (!(except as string[]).includes(column)) out[camel(column)] = value ?? undefined;
  }
  // The mapped type renames each column as the loop does at run time.
  return out as FromRow<Omit<R, K>>;
}
