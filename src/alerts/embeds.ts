import type { APIEmbed } from 'discord.js';
import type { Severity } from '../domain/finding.js';
import { neutraliseMentions } from '../kernel/clean-text.js';

/**
 * Discord's documented limits for one message and one embed:
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits (the 6,000 count
 * title, description, field names and values, footer text and author name of all embeds).
 */
export const LIMITS = {
  content: 2_000,
  embedsPerMessage: 10,
  charsPerMessage: 6_000,
  title: 256,
  description: 4_096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1_024,
  footer: 2_048,
  author: 256,
} as const satisfies Record<string, number>;

export const SEVERITY_COLOUR = {
  critical: 0x8b0000,
  high: 0xe53935,
  medium: 0xfb8c00,
  low: 0xfdd835,
  info: 0x1e88e5,
} as const satisfies Record<Severity, number>;

export const RESOLVED_COLOUR = 0x43a047;

export const SEVERITY_ICON = {
  critical: '🟥',
  high: '🔴',
  medium: '🟠',
  low: '🟡',
  info: '🔵',
} as const satisfies Record<Severity, string>;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Our own text in an embed (titles, outcomes, error lines, evidence as a whole): it must not ping
 * anyone or break out of a code fence. The parts of it that came from an attacker were already
 * made inert where they entered (embedSafe, through untrustedText and displayText).
 */
export function safeText(text: string): string {
  return neutraliseMentions(text).replace(/```/g, 'ʼʼʼ');
}

/** Characters Discord counts toward the 6,000 per message. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

/** Enforces per-embed limits so that Discord never rejects a message we built. */
export function clampEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, LIMITS.title);
  if (out.description !== undefined) out.description = truncate(out.description, LIMITS.description);
  if (out.footer) out.footer = { ...out.footer, text: truncate(out.footer.text, LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: truncate(out.author.name, LIMITS.author) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.fields).map((f) => ({
      ...f,
      name: truncate(f.name || '\u200b', LIMITS.fieldName),
      value: truncate(f.value || '\u200b', LIMITS.fieldValue),
    }));
  }
  // One embed alone must fit a message too.
  while (embedLength(out) > LIMITS.charsPerMessage) {
    if (out.fields && out.fields.length > 0) out.fields = out.fields.slice(0, -1);
    else if (out.description)
      out.description = truncate(out.description, Math.floor(out.description.length / 2));
    else break;
  }
  return out;
}

/** Packs embeds, in order, into as few messages as Discord's limits allow. */
export function packEmbeds(embeds: readonly APIEmbed[]): APIEmbed[][] {
  return packItems(embeds.map((embed) => ({ embed, meta: undefined }))).map((m) => m.map((i) => i.embed));
}

/**
 * packEmbeds for embeds that carry something along (the finding each one announces), so the
 * caller knows which message carries what. Counts everything Discord counts, author included.
 */
export function packItems<T>(
  items: readonly { readonly embed: APIEmbed; readonly meta: T }[],
): { embed: APIEmbed; meta: T }[][] {
  const messages: { embed: APIEmbed; meta: T }[][] = [];
  let current: { embed: APIEmbed; meta: T }[] = [];
  let size = 0;
  for (const item of items) {
    const embed = clampEmbed(item.embed);
    const length = embedLength(embed);
    if (
      current.length > 0 &&
      (current.length >= LIMITS.embedsPerMessage || size + length > LIMITS.charsPerMessage)
    ) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push({ embed, meta: item.meta });
    size += length;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
