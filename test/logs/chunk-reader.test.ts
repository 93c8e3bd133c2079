import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkReader, type ChunkReaderOptions } from '../../src/logs/acquire/chunk-reader.js';
import { tempDir } from '../harness/test-env.js';

describe('ChunkReader', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('plex-warden-chunks-');
  });
  afterEach(() => dir.remove());

  function read(content: string, options: Partial<ChunkReaderOptions>, start = 0) {
    const file = join(dir.path, 'f.log');
    writeFileSync(file, content, 'latin1');
    const fd = openSync(file, 'r');
    try {
      const reader = new ChunkReader(fd, start, content.length, {
        chunkBytes: 4096,
        maxLineBytes: 8192,
        final: false,
        alignToLine: false,
        ...options,
      });
      let text = '';
      let end = start;
      for (let c = reader.next(); c !== null; c = reader.next()) {
        text += c.text;
        end = c.endOffset;
      }
      return { lines: text.split('\n').filter((l) => l !== ''), end, longLines: reader.longLines };
    } finally {
      closeSync(fd);
    }
  }

  it('hands out whole lines only and stops before a partial last line', () => {
    const content = `${'a'.repeat(3000)}\n${'b'.repeat(3000)}\nc-partial`;
    const r = read(content, {});
    expect(r.lines.map((l) => l[0])).toEqual(['a', 'b']);
    expect(r.end).toBe(6002);
  });

  it('counts the partial last line of a file that will not grow (rotated)', () => {
    const r = read('one\ntwo', { final: true });
    expect(r.lines).toEqual(['one', 'two']);
    expect(r.end).toBe(7);
  });

  it('grows for a line longer than a chunk and drops one longer than the bound', () => {
    const content = `x\n${'m'.repeat(6000)}\n${'h'.repeat(20_000)}\ny\n`;
    const r = read(content, {});
    expect(r.lines.map((l) => `${l[0]}${l.length}`)).toEqual(['x1', 'm6000', 'y1']);
    expect(r.longLines).toBe(1);
    expect(r.end).toBe(content.length);
  });

  it('starts at the next line when backfilling from the middle of one', () => {
    const content = 'first line\nsecond\nthird\n';
    const r = read(content, { alignToLine: true }, 3);
    expect(r.lines).toEqual(['second', 'third']);
  });
});
