/**
 * Text that came from elsewhere (a device name, a hostname from a scan index) shown in evidence:
 * control characters and Discord markdown/mention characters removed, length bounded, then the
 * embed policy (embedSafe) so that what is left, a bare URL for one, cannot become a link.
 */
export function untrustedText(value: string | undefined, max = 80): string {
  if (value === undefined) return '?';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const cleaned = value.replace(/[\u0000-\u001f\u007f`*_~|<>@#[\]\\]/g, '').trim();
  const text = cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
  return text === '' ? '?' : embedSafe(text);
}

/** A value usable inside a finding key: stable, short, no separators that break parsing. */
export function keyPart(value: string, max = 64): string {
  const cleaned = value.replace(/[^A-Za-z0-9._:-]/g, '_');
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

/**
 * The one policy for text an attacker may control (sshd user names, probed paths, user agents,
 * UPnP descriptions, router names) once it is inside an embed or a message. Discord renders
 * markdown there (https://discord.com/developers/docs/reference#message-formatting and
 * https://support.discord.com/hc/en-us/articles/210298617-Markdown-Text-101): the text must stay
 * readable but never become a link, a mention or formatting.
 * - masked links `[text](url)`: `](` is broken with a zero-width space, so the link rule never
 *   matches;
 * - autolinks and bare URLs: `://` is broken the same way, `<` is followed by a zero-width space
 *   (which also breaks `<@id>`, `<#id>`, `<t:…>` and `</command:id>`);
 * - @everyone / @here: a zero-width space after the `@`;
 * - markdown (`* _ ~ | \` ` > #` and `-` at the start of a line): escaped with a backslash, and
 *   control characters become spaces.
 */
export function embedSafe(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
      .replace(/[\\*_~|`]/g, '\\$&')
      .replace(/(^|\n)(\s*)([>#-])/g, '$1$2\\$3')
      .replace(/\]\(/g, ']\u200b(')
      .replace(/:\/\//g, ':\u200b//')
      .replace(/</g, '<\u200b')
      .replace(/@(everyone|here)/gi, '@\u200b$1')
  );
}
