/**
 * Brute force: `maxRetry` failed sign-ins from one address within `findTime` (fail2ban's
 * semantics), on any source: SSH password failures and invalid users, HTTP 401s behind a
 * reverse proxy, unauthenticated Plex 401s on non-routine paths.
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
import type { Detection, Detector, DetectorContext } from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';
import { WindowDetector } from './window-detector.js';

class BruteForceInstance extends WindowDetector {
  readonly id = 'brute-force' as const;
  readonly mask = EV_FAILURE;

  constructor(ctx: DetectorContext) {
    super(ctx, ctx.settings.maxRetry, ctx.settings.findTimeMs);
  }

  protected override note(ev: LogEvent): string {
    return ev.user;
  }

  render(ip: string): Detection | undefined {
    const w = this.flagged(ip);
    if (!w) return undefined;
    const { source, settings } = this.ctx;
    const ssh = source.kind === 'sshd';
    const user = w.note !== '' ? ` Last account tried: "${displayText(w.note, 40)}".` : '';
    return {
      key: findingKey(this.id, source.id, ip),
      severity: ssh ? 'high' : 'medium',
      title: `Brute force from ${ip} on ${source.id}`,
      evidence: `${source.id} (${source.path}) logged at least ${milestone(w.total, settings.maxRetry)} failed ${ssh ? 'SSH logins' : 'sign-ins'} from ${addressLabel(ip, this.ctx.addressFacts)} since ${isoMinute(w.firstAt)} (threshold: ${settings.maxRetry} within ${formatDuration(settings.findTimeMs)}).${user}`,
      fix: ssh
        ? 'Approve the block, then disable SSH password logins (PasswordAuthentication no) or stop forwarding port 22.'
        : 'Approve the block; if this service need not be public, remove its port forward or put it behind a VPN.',
      grounds: `brute force on ${source.id}: ${settings.maxRetry}+ failures within ${formatDuration(settings.findTimeMs)}`,
    };
  }
}

export const bruteForce = {
  id: 'brute-force',
  create: (ctx: DetectorContext) => new BruteForceInstance(ctx),
} as const satisfies Detector;
