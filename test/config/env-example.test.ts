import { readFileSync } from 'node:fs';
import cronParser from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { keyLines, renderEnvExample } from '../../src/config/env-example.js';
import { CONFIG_KEYS, SECTIONS } from '../../src/config/keys/index.js';

const file = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const lines = file.split('\n');
const KEY_LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;
const REGENERATE = 'the table (src/config/keys/) is the source: run `npm run env-example`';

describe('.env.example', () => {
  it('lists the keys of the table, in the same order', () => {
    const inFile = lines.flatMap((line) => KEY_LINE.exec(line)?.[1] ?? []);
    const inTable = CONFIG_KEYS.filter((key) => !key.perKindOnly).map((key) => key.name);
    expect(inFile, REGENERATE).toEqual(inTable);
  });

  it('gives each key its default and, above it, the comment lines of its description', () => {
    for (const key of CONFIG_KEYS) {
      const expected = keyLines(key);
      const at = lines.findIndex(
        (_line, i) => lines.slice(i, i + expected.length).join('\n') === expected.join('\n'),
      );
      expect(at, `${key.name}: .env.example lacks these lines, together: ${expected.join(' ⏎ ')}`).not.toBe(
        -1,
      );
    }
  });

  it('is exactly what the table renders (headings and order included)', () => {
    expect(file, REGENERATE).toBe(renderEnvExample());
  });
});

describe('the configuration table', () => {
  it('has unique names, a description for every key and section ids matching their keys', () => {
    const names = CONFIG_KEYS.map((key) => key.name);
    expect(new Set(names).size).toBe(names.length);
    for (const section of SECTIONS) {
      for (const key of Object.values(section.keys)) {
        expect(key.section).toBe(section.id);
        expect(key.describe().join('').trim(), key.name).not.toBe('');
      }
    }
  });

  it('has defaults that its own parsers accept', () => {
    for (const key of CONFIG_KEYS.filter((k) => k.hasDefault)) {
      expect(() => key.fallback(), key.name).not.toThrow();
      expect(key.fallback(), key.name).not.toBeUndefined();
    }
  });

  it('has cron defaults that cron-parser accepts (the cron parser takes its default unparsed)', () => {
    const crons = CONFIG_KEYS.filter((k) => k.kind === 'cron' && k.hasDefault);
    expect(crons.length).toBeGreaterThan(0);
    for (const key of crons) {
      expect(() => cronParser.parseExpression(key.defaultText), key.name).not.toThrow();
      expect(key.defaultText.split(/\s+/).length, key.name).toBeGreaterThanOrEqual(5);
    }
  });

  it('shows a per-kind-only key as a commented example that its parser accepts', () => {
    for (const key of CONFIG_KEYS.filter((k) => k.perKindOnly)) {
      const example = /^([A-Z0-9_]+)=(.*)$/.exec(key.example ?? '');
      expect(example, key.name).not.toBeNull();
      const [, name = '', value = ''] = example ?? [];
      const kind = name.slice(key.name.length + 1).toLowerCase();
      expect(key.perKind?.(), key.name).toContain(kind);
      expect(key.parse(value), key.name).toBeTruthy();
    }
  });
});
