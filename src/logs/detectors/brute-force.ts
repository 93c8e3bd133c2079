/**
 * Brute force: `maxRetry` failed sign-ins from one address within `findTime` (fail2ban's
 * semantics), on any source: SSH password failures and invalid users, HTTP 401s behind a
 * reverse proxy, unauthenticated Plex 401s on non-routine paths. Beside that fast window a slow
 * one (LOG_SLOW_MAX_RETRY within LOG_SLOW_FIND_TIME, 20 in 24 h on SSH) catches guessers that
 * stay under the fast rate — fail2ban's answer is its `recidive` jail with a one-day findtime
 * (https://github.com/fail2ban/fail2ban/blob/master/config/jail.conf). Both windows feed one
 * finding per address. IPv6 is judged per network (LOG_IPV6_PREFIX, a /64 by default): the
 * addresses a subscriber rotates inside its /64 add up, and the finding (and its block) is for the
 * /64, naming how many different addresses took part and one of them.
 *
 * Why it matters: a password guessed on SSH or on a proxied admin page is the whole house.
 * False positives: a family device with a saved wrong password, a script with an old
 * password; LAN and allow-listed addresses are never looked at, and routine Plex requests
 * (token refresh, discovery) are not failures. Fix: approve the suggested block, then make
 * the service unreachable from outside if it need not be, and use keys or 2FA.
 */

import { formatDuration } from '../../kernel/duration.js';
import { addressLabel } from '../../net/address-label.js';
import { displayText, EV_FAILURE, type LogEvent } from '../log-event.js';
import { isRange, keyTitle, networkText } from './network-window.js';
import type { WindowState } from './sliding-window.js';
import type {
  Detection,
  Detector,
  DetectorContext,
  DetectorInstance,
  StateRow,
  TableCounts,
} from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';
import { WindowDetector } from './window-detector.js';

/** One of the two windows: failures per address (or IPv6 network) within its find time. */
class FailureWindow extends WindowDetector {
  readonly id = 'brute-force' as const;
  readonly mask = EV_FAILURE;

  constructor(
    ctx: DetectorContext,
    readonly maxRetry: number,
    findTimeMs: number,
  ) {
    super(ctx, maxRetry, findTimeMs);
  }

  protected override note(ev: LogEvent): string {
    return ev.user;
  }

  render(): undefined {
    return undefined;
  }

  flaggedWindow(key: string): WindowState | undefined {
    return this.flagged(key);
  }
}

/** The slow window's rows share the detector's state table: its keys carry this mark (whois reads them). */
export const SLOW_WINDOW_PREFIX = '~';
const SLOW = SLOW_WINDOW_PREFIX;

class BruteForceInstance implements DetectorInstance {
  readonly id = 'brute-force' as const;
  readonly mask = EV_FAILURE;
  private readonly fast: FailureWindow;
  private readonly slow: FailureWindow;

  constructor(private readonly ctx: DetectorContext) {
    const s = ctx.settings;
    this.fast = new FailureWindow(ctx, s.maxRetry, s.findTimeMs);
    this.slow = new FailureWindow(ctx, s.slowMaxRetry, s.slowFindTimeMs);
  }

  /** The fast and the slow window's tables together. */
  get table(): TableCounts {
    const a = this.fast.table;
    const b = this.slow.table;
    return { evicted: a.evicted + b.evicted, pending: a.pending + b.pending, size: a.size + b.size };
  }

  settled(): boolean {
    return false;
  }

  observe(ev: LogEvent, ip: string, time: number): boolean {
    const fast = this.fast.observe(ev, ip, time);
    return this.slow.observe(ev, ip, time) || fast;
  }

  render(key: string): Detection | undefined {
    const fastWindow = this.fast.flaggedWindow(key);
    const windowed = fastWindow ? this.fast : this.slow;
    const w = fastWindow ?? this.slow.flaggedWindow(key);
    if (!w) return undefined;
    const { source } = this.ctx;
    const label = windowed === this.fast ? 'Brute force' : 'Slow brute force';
    const { maxRetry, findTimeMs } = windowed;
    const ssh = source.kind === 'sshd';
    const range = isRange(key);
    const what = `${milestone(w.total, maxRetry)} failed ${ssh ? 'SSH logins' : 'sign-ins'}`;
    const from = range
      ? `the network ${networkText(key, w, this.ctx.addressFacts)}`
      : addressLabel(key, this.ctx.addressFacts);
    const user = w.note !== '' ? ` Last account tried: "${displayText(w.note, 40)}".` : '';
    return {
      key: findingKey(this.id, source.id, key),
      severity: ssh ? 'high' : 'medium',
      title: `${label} from ${keyTitle(key, w)} on ${source.id}`,
      evidence: `${source.id} (${source.path}) logged at least ${what} from ${from} since ${isoMinute(w.firstAt)} (threshold: ${maxRetry} within ${formatDuration(findTimeMs)}).${user}`,
      fix: ssh
        ? 'Approve the block, then disable SSH password logins (PasswordAuthentication no) or stop forwarding port 22.'
        : 'Approve the block; if this service need not be public, remove its port forward or put it behind a VPN.',
      grounds: `${label.toLowerCase()} on ${source.id}: ${maxRetry}+ failures within ${formatDuration(findTimeMs)}${range ? ` from one ${key.slice(key.indexOf('/'))}` : ''}`,
    };
  }

  sweep(now: number): void {
    this.fast.sweep(now);
    this.slow.sweep(now);
  }

  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number {
    const n = this.fast.drain(write, remove, budget);
    return (
      n +
      this.slow.drain(
        (row) => write({ ...row, ip: SLOW + row.ip }),
        (ip) => remove(SLOW + ip),
        budget - n,
      )
    );
  }

  discard(): void {
    this.fast.discard();
    this.slow.discard();
  }

  restore(rows: readonly StateRow[]): void {
    const fast: StateRow[] = [];
    const slow: StateRow[] = [];
    for (const row of rows) {
      if (row.ip.startsWith(SLOW)) slow.push({ ...row, ip: row.ip.slice(SLOW.length) });
      else fast.push(row);
    }
    this.fast.restore(fast);
    this.slow.restore(slow);
  }
}

export const bruteForce = {
  id: 'brute-force',
  create: (ctx: DetectorContext) => new BruteForceInstance(ctx),
} as const satisfies Detector;
