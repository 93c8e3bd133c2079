import { describe, expect, it } from 'vitest';
import { embedSafe } from '../../src/kernel/untrusted-text.js';

/**
 * What Discord would turn into a link, a ping or formatting (reference#message-formatting,
 * support article "Markdown Text 101"), as attacker-controlled text arrives in evidence.
 */
const MASKED_LINK = /\[[^\]]*\]\(/;
const URL = /[a-z][a-z0-9+.-]*:\/\//i;
const ANGLE = /<[@#:/a-z]/i;
const MASS = /@(everyone|here)/i;

describe('embedSafe: one policy for attacker-controlled text in embeds', () => {
  it.each([
    ['a masked link in a user agent', 'Mozilla [click](https://evil.example)', [MASKED_LINK, URL]],
    ['a masked link with a title', '[Plex login](https://evil.example "Plex")', [MASKED_LINK, URL]],
    ['an autolink', 'see <https://evil.example/x>', [ANGLE, URL]],
    ['a bare URL', 'http://evil.example/a', [URL]],
    ['a user mention', 'root <@123456789012345678>', [ANGLE]],
    ['a role mention', '<@&123456789012345678>', [ANGLE]],
    ['a channel link', '<#123456789012345678>', [ANGLE]],
    ['a slash command mention', '</block:123456789012345678>', [ANGLE]],
    ['@everyone', 'hi @everyone', [MASS]],
    ['@here in capitals', 'HI @HERE', [MASS]],
  ] as const)('%s never renders', (_name, input, forbidden) => {
    const out = embedSafe(input);
    for (const pattern of forbidden) expect(out).not.toMatch(pattern);
    // Still readable: every visible character of the input survives.
    expect(out.replace(/[\u200b\\]/g, '')).toBe(input);
  });

  it.each([
    ['bold', '**admin**', '\\*\\*admin\\*\\*'],
    ['underline / italic', '__x__ _y_', '\\_\\_x\\_\\_ \\_y\\_'],
    ['strike and spoiler', '~~a~~ ||b||', '\\~\\~a\\~\\~ \\|\\|b\\|\\|'],
    ['inline code and fences', '`x` ```y```', '\\`x\\` \\`\\`\\`y\\`\\`\\`'],
    ['a heading', '# BIG', '\\# BIG'],
    ['subtext and lists at line start', '-# small\n- item', '\\-# small\n\\- item'],
    ['a quote', '> quoted', '\\> quoted'],
    ['an escape that would cancel ours', '\\*', '\\\\\\*'],
    ['a control character', 'a\u0007b\rc', 'a b c'],
    [
      'plain text',
      'Failed password for admin from 203.0.113.7',
      'Failed password for admin from 203.0.113.7',
    ],
  ] as const)('escapes %s', (_name, input, expected) => {
    expect(embedSafe(input)).toBe(expected);
  });
});
