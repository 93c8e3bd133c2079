import { describe, expect, it } from 'vitest';
import { embedLength, LIMITS } from '../../src/alerts/embeds.js';
import { whoisEmbed } from '../../src/alerts/whois-embed.js';

const lines = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i} ${'x'.repeat(width)}`);

describe('whoisEmbed', () => {
  it('shows short sections whole, with no cut note', () => {
    const embed = whoisEmbed('203.0.113.7', 'outside', [
      { title: 'Address', lines: ['Scope: outside', 'Network: unknown'] },
      { title: 'Bans (0)', lines: [] },
    ]);
    expect(embed.fields).toEqual([
      { name: 'Address', value: 'Scope: outside\nNetwork: unknown' },
      { name: 'Bans (0)', value: 'none' },
    ]);
    expect(embed.footer?.text).not.toMatch(/cut/);
  });

  it('shares 6,000 characters among long sections, keeps short ones whole, and says it cut', () => {
    const embed = whoisEmbed('203.0.113.7', 'outside', [
      { title: 'Address', lines: ['Scope: outside'] },
      ...Array.from({ length: 9 }, (_, i) => ({ title: `Long ${i}`, lines: lines(200, 80) })),
      { title: 'One very long line', lines: ['y'.repeat(5_000)] },
    ]);
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.charsPerMessage);
    const fields = embed.fields ?? [];
    expect(fields).toHaveLength(11);
    expect(fields[0]?.value).toBe('Scope: outside');
    for (const f of fields) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    for (const f of fields.slice(1, 10)) expect(f.value).toMatch(/\n…and \d+ more$/);
    expect(fields[10]?.value.endsWith('…')).toBe(true);
    expect(embed.footer?.text).toMatch(/cut to fit Discord/);
  });

  it('neutralises mentions in what it shows', () => {
    const embed = whoisEmbed('203.0.113.7', 'outside', [{ title: 'Accounts (1)', lines: ['@everyone'] }]);
    expect(embed.fields?.[0]?.value).not.toBe('@everyone');
  });
});
