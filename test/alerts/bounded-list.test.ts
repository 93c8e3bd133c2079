import { describe, expect, it } from 'vitest';
import { boundedFields, boundedText } from '../../src/alerts/bounded-list.js';

describe('boundedText', () => {
  it('shows everything, with no note, when it fits', () => {
    const r = boundedText(['a', 'b', 'c'], { max: 5 });
    expect(r).toMatchObject({ text: 'a\nb\nc', omitted: 0, note: undefined });
  });

  it('cuts at the limit and says how many are left out, the note included in the limit', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `203.0.113.${i % 256}/32 entry ${i}`);
    for (const max of [20, 100, 1_000, 2_000, 4_096]) {
      const r = boundedText(lines, { max, separator: ', ' });
      expect(r.text.length).toBeLessThanOrEqual(max);
      expect(r.shown.length + r.omitted).toBe(300);
      expect(r.omitted).toBeGreaterThan(0);
      expect(r.text.endsWith(`…and ${r.omitted} more`)).toBe(true);
      // As many as fit: one more line would not have.
      const next = lines[r.shown.length] ?? '';
      expect(r.text.length + next.length + 2).toBeGreaterThan(max);
    }
  });

  it('stops at count lines and shortens a line longer than lineMax', () => {
    const r = boundedText(['x'.repeat(50), 'b', 'c'], {
      max: 1_000,
      count: 2,
      lineMax: 10,
      more: (n) => `${n} more: page 2`,
    });
    expect(r.text).toBe(`${'x'.repeat(9)}…\nb\n1 more: page 2`);
  });

  it('never goes over even when only the note fits, or nothing does', () => {
    expect(boundedText(['abcdef', 'ghijkl'], { max: 11, lineMax: 6 }).text).toBe('…and 2 more');
    expect(boundedText(['abcdef'], { max: 3 }).text.length).toBeLessThanOrEqual(3);
  });
});

describe('boundedFields', () => {
  it('keeps at most 25 fields and within the characters given, the note reserved', () => {
    const fields = Array.from({ length: 300 }, (_, i) => ({
      name: `198.51.100.${i}`,
      value: 'v'.repeat(200),
    }));
    const few = boundedFields(fields, { chars: 100_000 });
    expect(few.shown).toHaveLength(25);
    expect(few.note).toBe('…and 275 more');
    const tight = boundedFields(fields, { chars: 5_000 });
    const used = tight.shown.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(used + (tight.note?.length ?? 0)).toBeLessThanOrEqual(5_000);
    expect(tight.omitted).toBe(300 - tight.shown.length);
  });

  it('gives empty names and values the placeholder Discord requires', () => {
    expect(boundedFields([{ name: '', value: '' }], { chars: 100 }).shown).toEqual([
      { name: '\u200b', value: '\u200b' },
    ]);
  });
});
