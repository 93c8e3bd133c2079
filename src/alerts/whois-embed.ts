import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { AddressKind } from '../net/address-scope.js';
import type { WhoisSection } from '../report/whois-sections.js';
import { boundedFields, boundedText } from './bounded-list.js';
import { clampEmbed, LIMITS, safeText, truncate } from './embeds.js';

const COLOUR: Record<AddressKind, number> = {
  outside: 0xfb8c00,
  allowed: 0x1e88e5,
  lan: 0x43a047,
  self: 0x43a047,
  special: 0x757575,
};

const CUT_NOTE = 'Some sections are cut to fit Discord; `plex-warden whois IP` prints everything.';
/** Room kept for what Discord counts besides the fields (title, footer) and for rounding. */
const MARGIN = 64;

/**
 * Shares the 6,000 characters of a message among the sections ("water filling"): small
 * sections get all they need, the rest split what is left evenly, each at most a field's 1,024
 * (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
 */
function shares(sizes: readonly number[], budget: number): number[] {
  const out = new Array<number>(sizes.length).fill(0);
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => a.size - b.size);
  let left = budget;
  order.forEach(({ size, i }, k) => {
    const fair = Math.floor(left / (order.length - k));
    const share = Math.max(1, Math.min(size, fair, LIMITS.fieldValue));
    out[i] = share;
    left -= share;
  });
  return out;
}

/**
 * The whois answer as one embed within Discord's limits: a field per section, a long section cut
 * with "…and N more" and a footer saying so, never a reply Discord would refuse.
 */
export function whoisEmbed(label: string, kind: AddressKind, sections: readonly WhoisSection[]): APIEmbed {
  const title = truncate(safeText(label), LIMITS.title);
  const named = sections.map((s) => ({
    name: truncate(safeText(s.title), LIMITS.fieldName),
    lines: (s.lines.length === 0 ? ['none'] : s.lines).map(safeText),
  }));
  const overhead = title.length + CUT_NOTE.length + MARGIN + named.reduce((n, s) => n + s.name.length, 0);
  const room = shares(
    named.map((s) => s.lines.join('\n').length),
    LIMITS.charsPerMessage - overhead,
  );
  let cut = false;
  const fields: APIEmbedField[] = named.map((s, i) => {
    const text = boundedText(s.lines, { max: room[i] ?? LIMITS.fieldValue, lineMax: 300 });
    if (text.omitted > 0 || text.shown.some((line, k) => line !== s.lines[k])) cut = true;
    return { name: s.name, value: text.text || '\u200b' };
  });
  const bounded = boundedFields(fields, { chars: LIMITS.charsPerMessage - title.length - CUT_NOTE.length });
  const footer = cut || bounded.note ? CUT_NOTE : 'Only you see this. Buttons propose; approvers decide.';
  return clampEmbed({ title, color: COLOUR[kind], fields: bounded.shown, footer: { text: footer } });
}
