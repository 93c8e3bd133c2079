import type { Draft, FieldOf, Key } from './key.js';

export type KeysOf<O> = {
  readonly [N in keyof O]: O[N] extends Draft<infer T, infer D> ? Key<T, D> & FieldOf<O[N]> : never;
};

type ValueOf<K> = K extends Key<infer T, infer D> ? (D extends true ? T : T | undefined) : never;

/** What `EnvReader.fields` returns: each key that names a `field`, under that name, as read. */
export type FieldsOf<K> = {
  readonly [N in keyof K as K[N] extends { readonly field: infer F extends string } ? F : never]: ValueOf<
    K[N]
  >;
};

/** One section of the table: its `.env.example` heading, an optional intro and its keys in order. */
export interface Section<K> {
  readonly id: string;
  readonly title: string;
  readonly intro: readonly string[];
  readonly keys: K;
}

/** Names the drafts by their property (insertion order is the `.env.example` order). */
export function section<const O extends Record<string, Draft<unknown, boolean>>>(
  id: string,
  title: string,
  drafts: O,
  intro?: string,
): Section<KeysOf<O>> {
  const keys = Object.fromEntries(
    Object.entries(drafts).map(([name, d]) => [name, { ...d, name, section: id }]),
  );
  // Object.fromEntries loses the per-name types that the mapped type restores.
  return { id, title, intro: intro?.split('\n') ?? [], keys: keys as KeysOf<O> };
}
