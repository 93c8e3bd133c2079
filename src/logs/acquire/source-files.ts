import { createHash } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
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
/** The rotation number of a sibling in the `.N` (logrotate) or `.N.log` (Plex) scheme, plain files only. */
function rotationNumber(path: string, name: string): number | undefined {
  const base = basename(path);
  const stem = base.endsWith('.log') ? base.slice(0, -4) : base;
  const m = name.startsWith(`${base}.`)
    ? /^\.(\d{1,4})$/.exec(name.slice(base.length))
    : name.startsWith(`${stem}.`) && base.endsWith('.log')
      ? /^\.(\d{1,4})\.log$/.exec(name.slice(stem.length))
      : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Plain siblings rotated after `older` in a numbered scheme (a smaller number is newer), oldest
 * first. Empty when `older` is not numbered (a date suffix): only its tail is read then.
 */
export function newerNumberedSiblings(path: string, older: string): string[] {
  const dir = dirname(path);
  const at = rotationNumber(path, basename(older));
  if (at === undefined || dirname(older) !== dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, n: rotationNumber(path, name) }))
    .filter((x): x is { name: string; n: number } => x.n !== undefined && x.n < at)
    .sort((a, b) => b.n - a.n)
    .map((x) => join(dir, x.name));
}

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

/** What a non-regular file is, in words for the log and the doctor. */
export function describeNotAFile(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export type OpenResult =
  | { readonly fd: number; readonly stat: BigIntStats }
  | { readonly notAFile: string }
  | undefined;

/**
 * Opens a log file for reading, regular files only. A FIFO in its place would block open(2)
 * until a writer appears (fifo(7)), and a device may act on open, so the path is stat'ed
 * first and anything else is reported, not opened. O_NONBLOCK covers the race where the path
 * becomes a FIFO between the stat and the open (open(2): a read-only non-blocking open of a
 * FIFO returns at once); it changes nothing for reads of a regular file. fstat then checks
 * the descriptor itself.
 */
export function openRegular(path: string): OpenResult {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { notAFile: describeNotAFile(st) };
  } catch {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    // fstat on the descriptor: the identity of exactly the file we will read.
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) {
      closeSync(fd);
      return { notAFile: describeNotAFile(stat) };
    }
    return { fd, stat };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** A regular file opened for reading, or undefined when there is none (missing or not a file). */
export function openForRead(path: string): { fd: number; stat: BigIntStats } | undefined {
  const r = openRegular(path);
  return r && 'fd' in r ? r : undefined;
}
