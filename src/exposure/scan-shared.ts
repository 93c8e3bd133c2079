import type { ScanShared } from '../checks/types.js';

/**
 * Values several checks need within one scan (the router's mappings, the public IP): the first
 * caller computes, the others await the same promise. A new one per scan (and per doctor run).
 */
export function scanShared(): ScanShared {
  const memo = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let value = memo.get(key);
      if (!value) {
        value = compute();
        memo.set(key, value);
      }
      // Each key is computed by one kind of caller, so its promise has that caller's type.
      return value as Promise<T>;
    },
  };
}
