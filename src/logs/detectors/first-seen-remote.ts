/**
 * First-seen remote address that got in: an address from outside the LAN that the service
 * answered with success (HTTP 2xx, Plex 2xx on a path that needs a token, an accepted SSH
 * login) and that was never seen before on this source. IPv6 counts by network (LOG_IPV6_PREFIX,
 * a /64 by default): a phone's temporary addresses (RFC 8981) rotate inside its home line's /64.
 *
 * Why it matters: a new address getting in is either a family member on a new network (fine,
 * dismiss it) or a leaked token / password in use. False positives: phones moving between
 * mobile networks, visitors of a public web site (web sources report at info: listed by
 * /findings, never pushed); the first review learns the baseline quietly. Fix: if nobody
 * recognizes the address, revoke sessions and change the password of the account involved.
 */
import { displayText, EV_SUCCESS } from '../log-event.js';
import { SeenDetector } from './seen-detector.js';
import type { Detection, Detector, DetectorContext } from './types.js';
import { findingKey, isoMinute } from './types.js';

class FirstSeenRemoteInstance extends SeenDetector {
  readonly id = 'first-seen-remote' as const;
  readonly mask = EV_SUCCESS;

  render(key: string): Detection | undefined {
    const s = this.entry(key);
    if (!s) return undefined;
    const where = this.where(key, s);
    const never = s.first === undefined ? 'never seen before' : 'no address in it seen before';
    const { source } = this.ctx;
    const ssh = source.kind === 'sshd';
    const who = s.user !== '' ? ` as "${displayText(s.user, 40)}"` : '';
    return {
      key: findingKey(this.id, source.id, key),
      // A web server's new visitors are routine on a public site: listed (info), not pushed.
      severity: ssh ? 'high' : source.kind === 'plex' ? 'medium' : 'info',
      title: `New outside address got in on ${source.id}: ${where}`,
      evidence: `${where} (outside the LAN, ${never} on ${source.id}) ${ssh ? `logged in over SSH${who}` : 'was answered with success'} at ${isoMinute(s.firstAt)}.`,
      fix: ssh
        ? 'If nobody in the house logged in from there, rotate SSH keys and passwords now and check ~/.ssh/authorized_keys.'
        : 'If nobody in the house recognizes the address, sign out all devices at plex.tv and change the password; otherwise dismiss.',
      grounds: `new outside address got in on ${source.id}`,
    };
  }
}

export const firstSeenRemote = {
  id: 'first-seen-remote',
  create: (ctx: DetectorContext) => new FirstSeenRemoteInstance(ctx),
} as const satisfies Detector;
