/**
 * Bad Plex token from outside: Plex answered 401 to a request that came with a token
 * (`Signed-in Token ()` then 401), from an address outside the LAN — a guessed, stolen-and-
 * revoked or expired token being tried from the internet.
 *
 * Why it matters: tokens are the keys to the server; someone holding an old one is probing.
 * False positives: a family member's device with an expired token on the road (it usually
 * recovers after a re-login). No block is suggested for that reason. Fix: if nobody in the
 * house recognizes the address, sign out all devices at plex.tv (Authorized Devices) and
 * change the password. IPv6 is judged per network (LOG_IPV6_PREFIX, window-detector.ts).
 */
import { formatDuration } from '../../kernel/duration.js';
import { EV_BAD_TOKEN } from '../log-event.js';
import { isRange, keyTitle, networkText } from './network-window.js';
import type { Detection, Detector, DetectorContext } from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';
import { WindowDetector } from './window-detector.js';

class BadPlexTokenInstance extends WindowDetector {
  readonly id = 'bad-plex-token' as const;
  readonly mask = EV_BAD_TOKEN;

  constructor(ctx: DetectorContext) {
    super(ctx, ctx.settings.badTokenCount, ctx.settings.findTimeMs);
  }

  render(ip: string): Detection | undefined {
    const w = this.flagged(ip);
    if (!w) return undefined;
    const { source, settings } = this.ctx;
    return {
      key: findingKey(this.id, source.id, ip),
      severity: 'medium',
      title: `Rejected Plex token from outside: ${keyTitle(ip, w)}`,
      evidence: `Plex refused a token from ${isRange(ip) ? `the network ${networkText(ip, w, undefined)}` : ip} (outside the LAN) at least ${milestone(w.total, settings.badTokenCount)} time(s) since ${isoMinute(w.firstAt)} (threshold: ${settings.badTokenCount} within ${formatDuration(settings.findTimeMs)}).`,
      fix: 'If no family device is on that address, sign out all devices at plex.tv (Settings > Authorized Devices) and change the Plex password.',
      grounds: `${settings.badTokenCount}+ rejected Plex tokens within ${formatDuration(settings.findTimeMs)}`,
    };
  }
}

export const badPlexToken = {
  id: 'bad-plex-token',
  create: (ctx: DetectorContext) => new BadPlexTokenInstance(ctx),
} as const satisfies Detector;
