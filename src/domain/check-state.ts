import type * as v from 'valibot';

/** Per-check JSON state kept between scans (a baseline, addresses already seen). */
export interface CheckState {
  /** The stored value, checked against the schema; undefined when nothing is stored. */
  get<const S extends v.GenericSchema>(key: string, schema: S): v.InferOutput<S> | undefined;
  set(key: string, value: unknown): void;
}
