import { describe, expect, it } from 'vitest';
import { countBySeverity, exposureGrade } from '../../src/report/exposure-grade.js';

describe('exposure grade (rule in src/report/exposure-grade.ts)', () => {
  it.each([
    [{}, 'A'],
    [{ info: 40 }, 'A'],
    [{ low: 3, info: 9 }, 'A'],
    [{ low: 4 }, 'B'],
    [{ medium: 1 }, 'B'],
    [{ medium: 2, low: 10 }, 'B'],
    [{ medium: 3 }, 'C'],
    [{ medium: 30, low: 1 }, 'C'],
    [{ high: 1 }, 'D'],
    [{ high: 1, medium: 9 }, 'D'],
    [{ critical: 1 }, 'F'],
    [{ critical: 1, high: 5, medium: 5, low: 5 }, 'F'],
  ] as const)('%o → %s', (open, letter) => {
    expect(exposureGrade(open).letter).toBe(letter);
  });

  it('says why in words', () => {
    expect(exposureGrade({ high: 2, medium: 1 }).reason).toBe('2 high open');
    expect(exposureGrade({ info: 1 }).reason).toBe('nothing above info open');
    expect(exposureGrade({ low: 2 }).reason).toBe('2 low open');
  });

  it('counts a list of findings per severity', () => {
    expect(countBySeverity([{ severity: 'low' }, { severity: 'low' }, { severity: 'critical' }])).toEqual({
      low: 2,
      critical: 1,
    });
  });
});
