/**
 * Slow brute force: the brute-force detector over a long window (LOG_SLOW_MAX_RETRY failures
 * within LOG_SLOW_FIND_TIME, 20 in 24 h on SSH by default), for guessers that stay under the
 * fast window's rate — the same idea as fail2ban's `recidive` jail and its `bantime.increment`
 * long find times (https://github.com/fail2ban/fail2ban/blob/master/config/jail.conf). Per
 * address and per IPv6 network like the fast one.
 *
 * Why it matters: one guess every few minutes still tries hundreds of passwords a day.
 * False positives: a device retrying an old password all day; fix it or allow-list it.
 * Fix: approve the block; use keys or 2FA.
 */

import { BruteForceInstance } from './brute-force.js';
import type { Detector, DetectorContext } from './types.js';

export const slowBruteForce = {
  id: 'slow-brute-force',
  create: (ctx: DetectorContext) =>
    new BruteForceInstance(ctx, {
      id: 'slow-brute-force',
      label: 'Slow brute force',
      maxRetry: ctx.settings.slowMaxRetry,
      findTimeMs: ctx.settings.slowFindTimeMs,
    }),
} as const satisfies Detector;
