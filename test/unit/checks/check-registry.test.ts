import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checks } from '../../../src/checks/index.js';

describe('check registry', () => {
  const folder = fileURLToPath(new URL('../../../src/checks/', import.meta.url));
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.ts') && f !== 'types.ts' && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

  it('registers every check file exactly once, with the file name as id', () => {
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(files);
  });

  it('has a test file for every check', () => {
    const tests = readdirSync(fileURLToPath(new URL('.', import.meta.url)));
    expect(files.filter((id) => !tests.includes(`${id}.test.ts`))).toEqual([]);
  });
});
