import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { StoredFinding } from '../../src/adapters/sqlite/finding-repository.js';
import { digestMessages } from '../../src/alerts/digest.js';
import { type Finding, toFinding } from '../../src/domain/finding.js';

const LABEL = '203.0.113.7 · AS64500 Example Hosting · NL';
const facts = {
  lookup: (ip: string) =>
    ip === '203.0.113.7' ? { asn: 64500, asName: 'Example Hosting', country: 'NL' } : undefined,
};

/** A check's finding names the bare address in its title, evidence and fix. */
const bare = (key: string): Finding =>
  toFinding('exposed-services', {
    key,
    severity: 'high',
    title: `ssh answers on 203.0.113.7:22 (${key})`,
    evidence: 'InternetDB lists 203.0.113.7 with port 22 open.',
    fix: 'Close port 22 on 203.0.113.7 in the router.',
  });

const stored = (f: Finding): StoredFinding => ({
  ...f,
  status: 'resolved',
  firstSeenAt: 0,
  lastSeenAt: 0,
  changedAt: 0,
  resolvedAt: 1,
  notifiedAt: null,
  snoozedUntil: null,
});

/** Every text line of an embed, as Discord shows them. */
const lines = (e: APIEmbed): string[] =>
  [e.title, e.description, ...(e.fields ?? []).map((f) => f.value)].filter((t): t is string => !!t);

describe('digest lines about an address carry its label', () => {
  const changes = {
    opened: [bare('new')],
    changed: [{ finding: bare('changed'), previousSeverity: 'low' as const, previousEvidence: '' }],
    resolved: [stored(bare('gone'))],
  };
  const notProposed = new Map([[bare('new').fingerprint, '203.0.113.7 is already blocked']]);

  it('labels the title, evidence, fix and not-proposed reason of new, changed, reminded and resolved lines', () => {
    const embeds = digestMessages(changes, {
      title: 'Scan #4',
      reminders: [bare('reminder')],
      notProposed,
      addressFacts: facts,
    }).flatMap((m) => m.embeds);
    expect(embeds).toHaveLength(4);
    const all = embeds.flatMap(lines);
    const naming = all.filter((t) => t.includes('203.0.113.7'));
    // New: title, evidence, fix, reason; changed and reminder: three each; resolved: its title.
    expect(naming.length).toBe(11);
    for (const text of naming) expect(text, text).toContain(LABEL);
    expect(all).toContain(`${LABEL} is already blocked`);
  });

  it('leaves lines as they were without facts, and never labels an address twice', () => {
    const plain = digestMessages(changes, { title: 'Scan #4' }).flatMap((m) => m.embeds);
    expect(plain.flatMap(lines).some((t) => t.includes(' · AS'))).toBe(false);
    const detector = toFinding('probing', {
      key: 'plex:203.0.113.7',
      severity: 'high',
      title: `Probing from ${LABEL} on plex`,
      evidence: '',
      fix: 'approve the block',
    });
    const [message] = digestMessages(
      { opened: [detector], changed: [], resolved: [] },
      { title: 'Log review', addressFacts: facts },
    );
    expect(message?.embeds[0]?.title).toMatch(new RegExp(`New · Probing from ${LABEL} on plex$`));
  });
});
