import { createHash } from 'node:crypto';
import { type BigIntStats, closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_PLEX_LOG_FILE, type LogSourceConfig } from '../../config/logs.js';

export const HEAD_BYTES = 256;

/** The file a source reads now: for plex a Logs folder means its `Plex Media Server.log`. */
export function currentFile(source: LogSourceConfig): string {
  if (source.kind !== 'plex') return source.path;
  try {
    if (statSync(source.path).isDirectory()) return join(source.path, DEFAULT_PLEX_LOG_FILE);
  } catch {
    // Missing folder or file: reported when the file is opened.
  }
  return source.path;
}

/** Hash of the first `length` bytes: tells a new file that reused an inode from the old one. */
export function headHash(fd: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = length > 0 ? readSync(fd, buf, 0, length, 0) : 0;
  return createHash('sha256').update(buf.subarray(0, n)).digest('hex').slice(0, 32);
}

const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4)$/;

/**
 * Where a rotated file went, found by inode among its siblings: `access.log.1`,
 * `access.log-20261125`, and Plex's `Plex Media Server.1.log` ... `.5.log` shuffle.
 * Compressed copies are skipped (they have new inodes anyway).
 */
export function findRotated(path: string, dev: string, ino: string): string | undefined {
  const dir = dirname(path);
  const base = basename(path);
  const stem = base.endsWith('.log') ? base.slice(0, -4) : base;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (name === base || COMPRESSED.test(name)) continue;
    if (!name.startsWith(base) && !name.startsWith(`${stem}.`)) continue;
    const candidate = join(dir, name);
    try {
      const st = statSync(candidate, { bigint: true });
      if (st.isFile() && st.dev.toString() === dev && st.ino.toString() === ino) return candidate;
    } catch {
      // Rotated away while we looked.
    }
  }
  return undefined;
}

export function openForRead(path: string): { fd: number; stat: BigIntStats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    // fstat on the descriptor: the identity of exactly the file we will read.
    return { fd, stat: fstatSync(fd, { bigint: true }) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
