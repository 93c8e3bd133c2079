/**
 * Text that came from elsewhere (a device name, a hostname from a scan index) shown in evidence:
 * control characters and Discord markdown/mention characters removed, length bounded.
 */
export function untrustedText(value: string | undefined, max = 80): string {
  if (value === undefined) return '?';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const cleaned = value.replace(/[\u0000-\u001f\u007f`*_~|<>@#[\]\\]/g, '').trim();
  const text = cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
  return text === '' ? '?' : text;
}

/** A value usable inside a finding key: stable, short, no separators that break parsing. */
export function keyPart(value: string, max = 64): string {
  const cleaned = value.replace(/[^A-Za-z0-9._:-]/g, '_');
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}
