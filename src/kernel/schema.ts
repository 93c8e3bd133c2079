import * as v from 'valibot';

/** Checks a value against a schema; the error names where the first problem is, not the value. */
export function checkSchema<const S extends v.GenericSchema>(
  value: unknown,
  schema: S,
  fail: (problem: string) => Error,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  // valibot's own message quotes the received value; name only what was expected.
  throw fail(`${path === '' ? 'top level' : path}: expected ${issue.expected ?? issue.type}`);
}
