import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/kernel/thousands.js';

describe('thousands', () => {
  it("writes a non-negative integer as toLocaleString('en-US') does", () => {
    for (const n of [
      0,
      7,
      999,
      1000,
      1001,
      12_345,
      999_999,
      1_000_000,
      1_234_567,
      2 ** 40,
      Number.MAX_SAFE_INTEGER,
    ])
      expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
  });
});
