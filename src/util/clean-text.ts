/**
 * One line of user text for messages and firewall comments: control characters and backticks
 * become spaces (no code-block breaking, no hidden newlines), whitespace collapsed, bounded.
 * Undefined when nothing is left.
 */
export function cleanText(text: string | null, maxLength = 200): string | undefined {
  if (text === null) return undefined;
  const cleaned = text
    .replace(/[\p{Cc}`]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length === 0 ? undefined : cleaned.slice(0, maxLength);
}
