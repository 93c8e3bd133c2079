import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { changeDigest } from '../../src/alerts/digest.js';
import { embedLength, LIMITS, packEmbeds, safeText } from '../../src/alerts/embeds.js';
import { toFinding } from '../../src/domain/finding.js';

describe('packEmbeds', () => {
  it('never exceeds 10 embeds or 6,000 characters per message, and keeps order', () => {
    const embeds: APIEmbed[] = Array.from({ length: 37 }, (_, i) => ({
      title: `e${i}`,
      description: 'x'.repeat(900),
    }));
    const messages = packEmbeds(embeds);
    for (const message of messages) {
      expect(message.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
      expect(message.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(LIMITS.charsPerMessage);
    }
    expect(messages.flat().map((e) => e.title)).toEqual(embeds.map((e) => e.title));
  });

  it('cuts one oversized embed down to Discord limits', () => {
    const [[embed] = []] = packEmbeds([
      {
        title: 't'.repeat(400),
        description: 'd'.repeat(9_000),
        fields: Array.from({ length: 40 }, () => ({ name: 'n', value: 'v'.repeat(2_000) })),
      },
    ]);
    expect(embed?.title?.length).toBeLessThanOrEqual(LIMITS.title);
    expect(embed?.description?.length).toBeLessThanOrEqual(LIMITS.description);
    expect(embed?.fields?.length).toBeLessThanOrEqual(LIMITS.fields);
    expect(embedLength(embed ?? {})).toBeLessThanOrEqual(LIMITS.charsPerMessage);
  });
});

describe('changeDigest', () => {
  const finding = (key: string, evidence = 'seen') =>
    toFinding('x', { key, severity: 'high', title: `Finding ${key} @everyone`, evidence, fix: 'fix it' });

  it('is empty when nothing changed', () => {
    expect(changeDigest({ opened: [], changed: [], resolved: [] }, { title: 'Scan #1' })).toEqual([]);
  });

  it('splits a large digest and neutralises mentions from outside text', () => {
    const opened = Array.from({ length: 25 }, (_, i) =>
      finding(String(i), `<@123456789012345678> ${'e'.repeat(1_000)}`),
    );
    const messages = changeDigest({ opened, changed: [], resolved: [] }, { title: 'Scan #2' });
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.flat()).toHaveLength(25);
    const text = JSON.stringify(messages);
    expect(text).not.toContain('@everyone');
    expect(text).not.toContain('<@123456789012345678>');
    expect(messages[0]?.[0]?.author?.name).toBe('Scan #2: 25 new');
  });

  it('breaks mention syntax', () => {
    expect(safeText('hi @here <@&123> <#456>')).not.toMatch(/@here|<@&123>|<#456>/);
  });
});
