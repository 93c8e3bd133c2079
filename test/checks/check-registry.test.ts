import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/index.js';

describe('checks', () => {
  it('each have their own test file, named after the check id', () => {
    const tests = readdirSync(fileURLToPath(new URL('.', import.meta.url)));
    expect(checks.map((c) => c.id).filter((id) => !tests.includes(`${id}.test.ts`))).toEqual([]);
  });
});
