import { describe, expect, it } from 'vitest';
import { isoMinute } from '../../src/logs/detectors/types.js';
import { detach } from '../../src/logs/log-event.js';

describe('detach', () => {
  it('copies latin1 log text exactly, whatever it holds', () => {
    // Every byte a latin1-decoded log line can carry, including what JSON would escape.
    const all = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c)).join('');
    const chunk = `203.0.113.7 - "GET /a\\"b\\\\c\x00\x1f\x7f" ${all} 2001:db8::1`;
    for (const [start, end] of [
      [0, 11],
      [0, 40],
      [14, chunk.length],
      [chunk.length - 11, chunk.length],
    ] as const) {
      const cut = chunk.slice(start, end);
      expect(detach(cut)).toBe(cut);
    }
  });
});

describe('isoMinute', () => {
  const plain = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  it('writes the minute of each time, also for times of one minute in a row', () => {
    const t = Date.UTC(2026, 10, 25, 19, 10, 45, 123);
    for (const ms of [t, t + 1_000, t + 14_876, t + 14_877, t - 45_124, t + 3_600_000, -1, 0, t]) {
      expect(isoMinute(ms)).toBe(plain(ms));
    }
  });

  it('reads no time into what has none, and refuses what no Date holds', () => {
    expect(isoMinute(Number.NaN)).toBe('unknown time');
    expect(isoMinute(Number.POSITIVE_INFINITY)).toBe('unknown time');
    // The same minute as the largest Date, one millisecond past it: as toISOString, a RangeError.
    expect(isoMinute(8.64e15)).toBe(plain(8.64e15));
    expect(() => isoMinute(8.64e15 + 1)).toThrow(RangeError);
  });
});
