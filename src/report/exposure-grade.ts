/**
 * The exposure grade: one letter for "how exposed is the house right now", from the open
 * findings alone (snoozed ones included: a snooze silences an alert, it does not close a door).
 * Info findings never count. The first rule that matches gives the letter:
 *
 *   F  at least one critical finding open
 *   D  at least one high finding open
 *   C  three or more medium findings open
 *   B  one or two medium findings open, or four or more low ones
 *   A  otherwise (nothing above low, at most three low)
 *
 * Worst-first on purpose: one critical (a public range in allowedNetworks, an exposed admin
 * port) is an open door however tidy the rest is, so no number of good checks averages it away.
 * The same rule heads every /scan reply and the weekly picture (README "Exposure grade").
 */
import type { Severity } from '../domain/finding.js';

export type GradeLetter = 'A' | 'B' | 'C' | 'D' | 'F';

export interface ExposureGrade {
  readonly letter: GradeLetter;
  /** Why, in a few words: "1 high open". */
  readonly reason: string;
}

export type SeverityCounts = Partial<Record<Severity, number>>;

export function exposureGrade(open: SeverityCounts): ExposureGrade {
  const critical = open.critical ?? 0;
  const high = open.high ?? 0;
  const medium = open.medium ?? 0;
  const low = open.low ?? 0;
  if (critical > 0) return { letter: 'F', reason: `${critical} critical open` };
  if (high > 0) return { letter: 'D', reason: `${high} high open` };
  if (medium >= 3) return { letter: 'C', reason: `${medium} medium open` };
  if (medium > 0) return { letter: 'B', reason: `${medium} medium open` };
  if (low >= 4) return { letter: 'B', reason: `${low} low open` };
  return { letter: 'A', reason: low > 0 ? `${low} low open` : 'nothing above info open' };
}

/** Counts per severity of a list of findings. */
export function countBySeverity(findings: readonly { severity: Severity }[]): SeverityCounts {
  const out: SeverityCounts = {};
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

/** Colours of the grade badge, green to dark red. */
export const GRADE_COLOUR = {
  A: 0x2e7d32,
  B: 0x7cb342,
  C: 0xf9a825,
  D: 0xef6c00,
  F: 0xb71c1c,
} as const satisfies Record<GradeLetter, number>;
