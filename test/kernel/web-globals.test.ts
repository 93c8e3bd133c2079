import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

/** A fresh Node (this one has loaded who knows what): what the loaded modules and globals are. */
function inFreshNode(first: string): {
  internalUndici: boolean;
  sameHeaders: boolean;
  undiciFormData: boolean;
  fetchIsUndici: boolean;
  assigned: boolean;
} {
  const script = `
    ${first}
    const undici = await import('undici');
    await import('discord.js');
    const internalUndici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));
    const result = {
      internalUndici,
      sameHeaders: globalThis.Headers === undici.Headers,
      undiciFormData: new FormData() instanceof undici.FormData,
      fetchIsUndici: globalThis.fetch === undici.fetch,
    };
    globalThis.Request = 'mine';
    result.assigned = globalThis.Request === 'mine';
    console.log(JSON.stringify(result));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

describe('web globals from undici 7', () => {
  it('keeps Node from loading its bundled undici, and the globals are undici 7 exports', () => {
    expect(inFreshNode(`await import('./src/kernel/web-globals.ts');`)).toEqual({
      internalUndici: false,
      sameHeaders: true,
      undiciFormData: true,
      fetchIsUndici: true,
      assigned: true,
    });
  });

  it('without it, loading undici and discord.js pulls in Node’s bundled copy (what it is for)', () => {
    const plain = inFreshNode('');
    expect(plain.internalUndici).toBe(true);
    expect(plain.undiciFormData).toBe(false);
  });
});
