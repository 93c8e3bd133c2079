/**
 * Brute force: `maxRetry` failed sign-ins from one address within `findTime` (fail2ban's
 * semantics), on any source: SSH password failures and invalid users, HTTP 401s behind a
 * reverse proxy, unauthenticated Plex 401s on non-routine paths. IPv6 failures also count per
 * network (LOG_IPV6_PREFIX, a /64 by default): addresses rotated inside one subscriber's /64 add
 * up, and the finding (and its block) is for the /64 once more than one address took part.
 *
 * Why it matters: a password guessed on SSH or on a proxied admin page is the whole house.
 * False positives: a family device with a saved wrong password, a script with an old
 * password; LAN and allow-listed addresses are never looked at, and routine Plex requests
 * (token refresh, discovery) are not failures. Fix: approve the suggested block, then make
 * the service unreachable from outside if it need not be, and use keys or 2FA.
 */

import { formatDuration } from '../../kernel/duration.js';
import { displayText, EV_FAILURE, type LogEvent } from '../log-event.js';
import type { Detection, Detector, DetectorContext } from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';
import { isRange, WindowDetector } from './window-detector.js';

export interface BruteForceWindow {
  readonly id: 'brute-force' | 'slow-brute-force';
  /** "Brute force" or "Slow brute force": the title's first words. */
  readonly label: string;
  readonly maxRetry: number;
  readonly findTimeMs: number;
}

export class BruteForceInstance extends WindowDetector {
  readonly id: BruteForceWindow['id'];
  readonly mask = EV_FAILURE;

  constructor(
    ctx: DetectorContext,
    private readonly w: BruteForceWindow,
  ) {
    super(ctx, w.maxRetry, w.findTimeMs, true);
    this.id = w.id;
  }

  protected override note(ev: LogEvent): string {
    return ev.user;
  }

  render(key: string): Detection | undefined {
    const w = this.flagged(key);
    if (!w) return undefined;
    const { source } = this.ctx;
    const { maxRetry, findTimeMs, label } = this.w;
    const ssh = source.kind === 'sshd';
    const range = isRange(key);
    const what = `${milestone(w.total, maxRetry)} failed ${ssh ? 'SSH logins' : 'sign-ins'}`;
    const from = range ? `addresses in ${key} (${(w.spread ?? 0) + 1}+ different ones)` : key;
    const user = !range && w.note !== '' ? ` Last account tried: "${displayText(w.note, 40)}".` : '';
    return {
      key: findingKey(this.id, source.id, key),
      severity: ssh ? 'high' : 'medium',
      title: `${label} from ${key} on ${source.id}`,
      evidence: `${source.id} (${source.path}) logged at least ${what} from ${from} since ${isoMinute(w.firstAt)} (threshold: ${maxRetry} within ${formatDuration(findTimeMs)}).${user}`,
      fix: ssh
        ? 'Approve the block, then disable SSH password logins (PasswordAuthentication no) or stop forwarding port 22.'
        : 'Approve the block; if this service need not be public, remove its port forward or put it behind a VPN.',
      grounds: `${label.toLowerCase()} on ${source.id}: ${maxRetry}+ failures within ${formatDuration(findTimeMs)}${range ? ` from one ${key.slice(key.indexOf('/'))}` : ''}`,
    };
  }
}

export const bruteForce = {
  id: 'brute-force',
  create: (ctx: DetectorContext) =>
    new BruteForceInstance(ctx, {
      id: 'brute-force',
      label: 'Brute force',
      maxRetry: ctx.settings.maxRetry,
      findTimeMs: ctx.settings.findTimeMs,
    }),
} as const satisfies Detector;
