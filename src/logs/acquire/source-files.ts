import type * as Crypto from 'node:crypto';
import { type BigIntStats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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
  return hashHead(buf.subarray(0, n));
}

/**
 * node:crypto, loaded on the first hash: `replay` hashes nothing and starts a few ms sooner
 * without it (Node compiles the module and its dependencies as it loads them).
 */
let crypto: typeof Crypto | undefined;
const require = createRequire(import.meta.url);

/** The same hash over bytes already at hand (a compressed file's decompressed head). */
export function hashHead(head: Buffer): string {
  crypto ??= require('node:crypto') as typeof Crypto;
  return crypto.createHash('sha256').update(head).digest('hex').slice(0, 32);
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

/** stat(2) of a regular file (a .gz streamed by path), or undefined when it is gone or not one. */
export function statRegular(path: string): BigIntStats | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}
