import { mergeNetworkParts, type NetworkPart } from './network-window.js';

/**
 * fail2ban's core: a per-address list of failure times inside `findTime`, kept no longer than
 * `maxRetry` (older entries cannot change the verdict). Flagged once the list is full.
 */
export interface WindowState extends NetworkPart {
  /** Failure times (log time, ms), oldest first, at most maxRetry of them. */
  times: number[];
  /** Set when the threshold was reached; counts every failure since the window began. */
  flaggedAt: number;
  total: number;
  firstAt: number;
  lastAt: number;
  /** Something detector-specific to show (the last user name tried). */
  note: string;
}

export function newWindow(time: number): WindowState {
  return { times: [], flaggedAt: 0, total: 0, firstAt: time, lastAt: time, note: '' };
}

/** Adds a failure; returns true when the address is (still) over the threshold. */
export function addFailure(w: WindowState, time: number, maxRetry: number, findTimeMs: number): boolean {
  const times = w.times;
  if (w.flaggedAt === 0) {
    // Out-of-order lines (two Plex threads) are fine: keep the list sorted by inserting.
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) > time) i--;
    // A new exact-size array: push/splice would reserve room for 17 times per address.
    const next = times.slice(0, i).concat(time, times.slice(i));
    w.times = next;
    const from = Math.max(time, w.lastAt) - findTimeMs;
    let drop = 0;
    while (drop < next.length && (next[drop] as number) < from) drop++;
    drop = Math.max(drop, next.length - maxRetry);
    if (drop > 0) w.times = next.slice(drop);
    w.firstAt = w.times.length === 0 ? time : (w.times[0] as number);
    w.total = w.times.length;
    w.lastAt = Math.max(w.lastAt, time);
    if (w.times.length >= maxRetry) {
      w.flaggedAt = w.lastAt;
      return true;
    }
    return false;
  }
  w.total++;
  w.lastAt = Math.max(w.lastAt, time);
  return true;
}

/** The window is over: nothing happened for findTime since the last failure. */
export function windowExpired(w: WindowState, now: number, findTimeMs: number): boolean {
  return w.lastAt < now - findTimeMs;
}

export function encodeWindow(w: WindowState): string {
  return JSON.stringify(w);
}

export function decodeWindow(text: string): WindowState | undefined {
  try {
    const v = JSON.parse(text) as Partial<WindowState>;
    if (!Array.isArray(v.times) || typeof v.lastAt !== 'number') return undefined;
    return {
      times: v.times.filter((t): t is number => typeof t === 'number'),
      flaggedAt: typeof v.flaggedAt === 'number' ? v.flaggedAt : 0,
      total: typeof v.total === 'number' ? v.total : 0,
      firstAt: typeof v.firstAt === 'number' ? v.firstAt : v.lastAt,
      lastAt: v.lastAt,
      ...decodeNetworkPart(v),
    };
  } catch {
    return undefined;
  }
}

/**
 * A network window's fields. A range window of the versions before windows were kept per network
 * (brute force only) has `spread` and its last address in `note`: that address is the one shown.
 */
function decodeNetworkPart(
  v: Partial<WindowState> & { spread?: unknown },
): Pick<WindowState, 'note' | 'addr' | 'addrs'> {
  const note = typeof v.note === 'string' ? v.note : '';
  if (typeof v.spread === 'number' && v.addr === undefined) return { note: '', addr: note };
  return {
    note,
    ...(typeof v.addr === 'string' ? { addr: v.addr } : {}),
    ...(Array.isArray(v.addrs) ? { addrs: v.addrs.filter((h): h is number => typeof h === 'number') } : {}),
  };
}

/**
 * Two windows of one network as one (state stored per IPv6 address before windows were kept per
 * network, folded on restore): the failure times merged and cut to the newest `maxRetry` within
 * `findTimeMs`, the counts added, flagged when either was.
 */
export function mergeWindows(
  a: WindowState,
  b: WindowState,
  maxRetry: number,
  findTimeMs: number,
): WindowState {
  const lastAt = Math.max(a.lastAt, b.lastAt);
  const times = a.times
    .concat(b.times)
    .filter((t) => t >= lastAt - findTimeMs)
    .sort((x, y) => x - y)
    .slice(-maxRetry);
  const flaggedAt = Math.max(a.flaggedAt, b.flaggedAt);
  const total = flaggedAt !== 0 ? a.total + b.total : times.length;
  return {
    times,
    flaggedAt: flaggedAt === 0 && times.length >= maxRetry ? lastAt : flaggedAt,
    total,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt,
    note: a.lastAt >= b.lastAt ? a.note : b.note,
    ...mergeNetworkParts(a, b),
  };
}
