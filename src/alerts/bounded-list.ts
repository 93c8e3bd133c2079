import type { APIEmbedField } from 'discord.js';
import { LIMITS, truncate } from './embeds.js';

/**
 * Every reply that lists things goes through here, so that none of them can outgrow Discord's
 * limits (LIMITS in embeds.ts, from Discord's documentation) and every one says when it is cut:
 * the note names how many were left out ("and 12 more", or "12 more: `/findings page:2`").
 */

/** What to say for `omitted` items left out; called only when something is left out. */
export type MoreNote = (omitted: number) => string;

export const andMore: MoreNote = (omitted) => `…and ${omitted} more`;

export interface Bounded<T> {
  readonly shown: T[];
  readonly omitted: number;
  /** The cut note, or undefined when everything is shown. */
  readonly note: string | undefined;
}

/**
 * The longest prefix of items whose sizes, plus the note for the rest, fit in `chars` (and at
 * most `count` items). Sizes include whatever separates an item from the one before.
 */
function fitPrefix<T>(
  items: readonly T[],
  size: (item: T, index: number) => number,
  budget: { readonly chars: number; readonly count?: number },
  more: MoreNote,
  noteSize: (note: string) => number,
): Bounded<T> {
  const count = Math.min(items.length, budget.count ?? items.length);
  let used = 0;
  let best = -1;
  for (let k = 0; k <= count; k += 1) {
    if (k > 0) {
      used += size(items[k - 1] as T, k - 1);
      if (used > budget.chars) break;
    }
    const rest = items.length - k;
    if (used + (rest > 0 ? noteSize(more(rest)) : 0) <= budget.chars) best = k;
  }
  const shown = items.slice(0, Math.max(0, best));
  const omitted = items.length - shown.length;
  return { shown, omitted, note: omitted > 0 ? more(omitted) : undefined };
}

/**
 * Lines joined by `separator` into text of at most `max` characters, the cut note last. A line
 * longer than `lineMax` (default: all of `max` less room for a note) is shortened with "…".
 */
export function boundedText(
  lines: readonly string[],
  options: {
    readonly max: number;
    /** At most this many lines (a page), whatever the characters allow. */
    readonly count?: number;
    readonly more?: MoreNote;
    readonly separator?: string;
    readonly lineMax?: number;
  },
): Bounded<string> & { readonly text: string } {
  const separator = options.separator ?? '\n';
  const more = options.more ?? andMore;
  const lineMax = Math.max(1, options.lineMax ?? options.max - more(lines.length).length - separator.length);
  const clipped = lines.map((line) => truncate(line, lineMax));
  const result = fitPrefix(
    clipped,
    (line, i) => line.length + (i > 0 ? separator.length : 0),
    { chars: options.max, ...(options.count === undefined ? {} : { count: options.count }) },
    more,
    (note) => note.length + (clipped.length > 0 ? separator.length : 0),
  );
  const parts = result.note === undefined ? result.shown : [...result.shown, result.note];
  return { ...result, text: parts.join(separator) };
}

/**
 * Embed fields within Discord's 25 per embed and a share of the 6,000 characters per message
 * (`chars`: what the rest of the message leaves). The cut note is not a field: put it in the
 * footer or description (its size is reserved within `chars`).
 */
export function boundedFields(
  fields: readonly APIEmbedField[],
  options: { readonly chars: number; readonly more?: MoreNote },
): Bounded<APIEmbedField> {
  const clipped = fields.map((f) => ({
    ...f,
    name: truncate(f.name || '\u200b', LIMITS.fieldName),
    value: truncate(f.value || '\u200b', LIMITS.fieldValue),
  }));
  return fitPrefix(
    clipped,
    (f) => f.name.length + f.value.length,
    { chars: options.chars, count: LIMITS.fields },
    options.more ?? andMore,
    (note) => note.length,
  );
}
