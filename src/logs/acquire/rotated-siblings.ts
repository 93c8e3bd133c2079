import { type BigIntStats, closeSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipHead } from './gzip-segment.js';
import { hashHead, headHash, openForRead, statRegular } from './source-files.js';
import type { FilePosition } from './types.js';

/** A file rotation left beside the live log. */
export interface RotatedSibling {
  readonly path: string;
  /** Its number in the `.N` (logrotate) or `.N.log` (Plex) scheme, smaller is newer; undefined for a date suffix. */
  readonly n: number | undefined;
  /** Compressed by logrotate's `compress` (gzip, its default `compresscmd`): read through zlib. */
  readonly gz: boolean;
}

/** Other compressors logrotate can be told to use: there is no reader for them, they are left alone. */
const OTHER_COMPRESSED = /\.(bz2|xz|zst|zip|lz4|Z)$/;

/** The rotation number of a sibling name (without `.gz`) in the `.N` or `.N.log` scheme. */
function rotationNumber(base: string, name: string): number | undefined {
  const stem = base.endsWith('.log') ? base.slice(0, -4) : base;
  const m = name.startsWith(`${base}.`)
    ? /^\.(\d{1,4})$/.exec(name.slice(base.length))
    : name.startsWith(`${stem}.`) && base.endsWith('.log')
      ? /^\.(\d{1,4})\.log$/.exec(name.slice(stem.length))
      : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * The rotated siblings of `path`, newest first: `access.log.1`, `access.log.2.gz`,
 * `access.log-20261125(.gz)` (logrotate `dateext`, newest date first after the numbered ones),
 * Plex's `Plex Media Server.1.log` ... `.5.log`. For one number the plain file comes before its
 * .gz: both exist only while logrotate is still compressing, and then the plain one is whole.
 */
export function rotatedSiblings(path: string): RotatedSibling[] {
  const dir = dirname(path);
  const base = basename(path);
  const stem = base.endsWith('.log') ? base.slice(0, -4) : base;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: RotatedSibling[] = [];
  for (const name of names) {
    if (name === base || OTHER_COMPRESSED.test(name)) continue;
    if (!name.startsWith(base) && !name.startsWith(`${stem}.`)) continue;
    const gz = name.endsWith('.gz');
    const plain = gz ? name.slice(0, -3) : name;
    if (plain === base) continue;
    found.push({ path: join(dir, name), n: rotationNumber(base, plain), gz });
  }
  return found.sort((a, b) => {
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n || Number(a.gz) - Number(b.gz);
    if (a.n !== undefined) return -1;
    if (b.n !== undefined) return 1;
    return a.path < b.path ? 1 : a.path > b.path ? -1 : 0;
  });
}

/** Where the committed file is now: open (plain) or to be streamed (gz). */
export interface LocatedFile {
  readonly sibling: RotatedSibling;
  /** Open for reading (plain), or null for a .gz, which is streamed by path. */
  readonly fd: number | null;
  readonly stat: BigIntStats;
}

function sameHead(position: FilePosition, head: Buffer | undefined): boolean {
  return head !== undefined && head.length === position.headLen && hashHead(head) === position.headHash;
}

async function matches(
  s: RotatedSibling,
  position: FilePosition,
): Promise<{ fd: number | null; stat: BigIntStats } | undefined> {
  if (s.gz) {
    const stat = statRegular(s.path);
    if (!stat) return undefined;
    return sameHead(position, await gzipHead(s.path, position.headLen)) ? { fd: null, stat } : undefined;
  }
  const f = openForRead(s.path);
  if (!f) return undefined;
  if (Number(f.stat.size) >= position.offset && headHash(f.fd, position.headLen) === position.headHash)
    return f;
  closeSync(f.fd);
  return undefined;
}

/**
 * Finds the file a committed position was taken in after it left the live path: first by
 * dev/inode (renamed: `.1`, `.2`, also a .gz that was already compressed when it was read), the
 * head checked so a reused inode is not taken for it; then by its content's head alone, for
 * the copies rotation makes: logrotate `compress` replaces the file with a new .gz (its
 * decompressed bytes are the same, so the offset still holds), `copytruncate` leaves a copy in
 * `.1`. `exclude` is the live file, which is never its own rotated copy.
 */
export async function locateRotated(
  path: string,
  position: FilePosition,
  exclude: { dev: string; ino: string } | undefined,
): Promise<LocatedFile | undefined> {
  const siblings = rotatedSiblings(path);
  const ids = siblings.map((s) => {
    const st = statRegular(s.path);
    return st ? { dev: st.dev.toString(), ino: st.ino.toString() } : undefined;
  });
  for (const [i, s] of siblings.entries()) {
    const id = ids[i];
    if (!id || id.dev !== position.dev || id.ino !== position.ino) continue;
    const m = await matches(s, position);
    if (m) return { sibling: s, ...m };
  }
  for (const [i, s] of siblings.entries()) {
    const id = ids[i];
    if (!id || (exclude && id.dev === exclude.dev && id.ino === exclude.ino)) continue;
    const m = await matches(s, position);
    if (m) return { sibling: s, ...m };
  }
  return undefined;
}

/**
 * Siblings rotated after `older` in a numbered scheme, oldest first, one per number (the plain
 * file when its .gz is still being written). Empty when `older` is not numbered (a date
 * suffix): only its tail is read then.
 */
export function newerSiblings(path: string, older: RotatedSibling): RotatedSibling[] {
  const at = older.n;
  if (at === undefined) return [];
  const byNumber = new Map<number, RotatedSibling>();
  for (const s of rotatedSiblings(path)) {
    if (s.n === undefined || s.n >= at || byNumber.has(s.n)) continue;
    byNumber.set(s.n, s);
  }
  return [...byNumber.values()].sort((a, b) => (b.n as number) - (a.n as number));
}
