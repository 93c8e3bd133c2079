/**
 * One line of user text for messages and firewall comments: control characters and backticks
 * become spaces (no code-block breaking, no hidden newlines), whitespace collapsed, bounded.
 * Undefined when nothing is left.
 */
export function cleanText(text: string | null, maxLength = 200): string | undefined {
  if (text === null) return undefined;
  const cleaned = neutraliseMentions(
    text
      .replace(/[\p{Cc}`]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return cleaned.length === 0 ? undefined : cleaned.slice(0, maxLength);
}

/**
 * Breaks @everyone, @here and <@id>/<@&role>/<#channel> with a zero-width space: text from users
 * or from the outside stays readable but can never ping, even where allowed_mentions is missed.
 */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<(@[!&]?|#)(\d+)>/g, '<$1\u200b$2>');
}
