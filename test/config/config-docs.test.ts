import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys/index.js';

/** Files that tell a user which keys to set. */
const DOCS = ['README.md', 'compose.yaml', 'Dockerfile', 'deploy/plex-warden.service'];

/** Names in those files that are not ours: the OS, Node, systemd, glibc, the test gate. */
const NOT_CONFIG = new Set([
  'PATH',
  'NODE_ENV',
  'NODE_OPTIONS',
  'MALLOC_ARENA_MAX',
  'MALLOC_MMAP_THRESHOLD_',
  'CAP_NET_ADMIN',
  'NET_ADMIN',
  'PLEX_WARDEN_REQUIRE_SYSTEM_TESTS',
]);

function known(name: string): boolean {
  if (NOT_CONFIG.has(name)) return true;
  return CONFIG_KEYS.some(
    (key) =>
      (!key.perKindOnly && key.name === name) ||
      (key.perKind?.() ?? []).some((kind) => `${key.name}_${kind.toUpperCase()}` === name),
  );
}

/** `NAME=...` anywhere, and `NAME` in backticks (Markdown), where NAME is all capitals. */
function mentionedKeys(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/g)) names.add(m[1] ?? '');
  for (const m of text.matchAll(/`([A-Z][A-Z0-9_]{2,})\b[^`]*`/g)) names.add(m[1] ?? '');
  return [...names];
}

describe('configuration keys named in the docs', () => {
  it.each(DOCS)('%s names only keys the table has', (path) => {
    const text = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    expect(mentionedKeys(text).filter((name) => !known(name))).toEqual([]);
  });

  it('catches a key that does not exist', () => {
    expect(
      mentionedKeys('set `BLOCK_BACKEND=nftables` or LOG_MAX_RETRY_SSHD=3').filter((n) => !known(n)),
    ).toEqual(['BLOCK_BACKEND']);
  });
});
