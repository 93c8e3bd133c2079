/**
 * Owner account from a new address: Plex authenticated user 1 (the server owner) for a
 * request from an outside address the owner never used before.
 *
 * Why it matters: the owner token can change every setting, share libraries and read every
 * account; seeing it from a strange place is the clearest sign of a leaked token. False
 * positives: the owner travelling or on a new mobile network; the first review learns quietly.
 * Fix: if it was not you, sign out all devices at plex.tv, change the password, enable 2FA.
 */
import { displayText, EV_OWNER } from '../log-event.js';
import { SeenDetector } from './seen-detector.js';
import type { Detection, Detector, DetectorContext } from './types.js';
import { findingKey, isoMinute } from './types.js';

class OwnerNewAddressInstance extends SeenDetector {
  readonly id = 'owner-new-address' as const;
  readonly mask = EV_OWNER;

  render(key: string): Detection | undefined {
    const s = this.entry(key);
    if (!s) return undefined;
    const where = this.where(key, s);
    const never =
      s.first === undefined ? 'never used by the owner before' : 'no address in it used by the owner before';
    const { source } = this.ctx;
    return {
      key: findingKey(this.id, source.id, key),
      severity: 'high',
      title: `Plex owner account used from a new address: ${where}`,
      evidence: `Plex authenticated the owner account${s.user !== '' ? ` "${displayText(s.user, 40)}"` : ''} for a request from ${where} (outside the LAN, ${never}) at ${isoMinute(s.firstAt)}.`,
      fix: 'If it was not you: plex.tv > Settings > Authorized Devices > sign out all, change the password and enable two-factor authentication.',
      grounds: 'Plex owner account from a new outside address',
    };
  }
}

export const ownerNewAddress = {
  id: 'owner-new-address',
  create: (ctx: DetectorContext) => new OwnerNewAddressInstance(ctx),
} as const satisfies Detector;
