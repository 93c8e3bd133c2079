/**
 * plex-sessions — who is streaming right now from outside the LAN, and from where.
 *
 * Why it matters: a stream from an address the house has never streamed from is the moment a
 * shared password or leaked token is being used; an unencrypted remote stream carries the
 * viewer's token in clear.
 * The first scan learns the remote addresses in use quietly; afterwards an address streaming for
 * the first time is reported (medium) while it streams during its first day, then it is known.
 * False positives: family on a phone network changes address often (mobile carriers rotate).
 * Fix: if nobody recognises the viewer, remove their access (or change the owner password and
 * sign out of all devices) and consider /block for the address.
 */
import * as v from 'valibot';
import type { FindingDraft, SuggestedAction } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { currentSessions, type PlexSession } from '../exposure/plex-resources.js';
import { recordStreams, STREAM_DAYS_KEY, StreamDaysSchema } from '../exposure/remote-stream-days.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import type { AddressScope } from '../net/address-scope.js';
import type { Check } from './types.js';

/** Remembered remote addresses are capped so a busy server cannot grow the state without bound. */
const MAX_REMEMBERED = 2_000;
/** An address counts as new for a day: the same evening's stream stays one alert, not new-then-known. */
export const NEW_ADDRESS_WINDOW_MS = 24 * 3_600_000;
/** What the viewer reads when an approver stops the stream. */
export const STOP_REASON = "This stream was stopped by the server's administrator.";

/**
 * A session is on the LAN when its `Player.address` is inside the house (private, or in
 * LAN_CIDRS), or when Plex itself says so (`Session.location="lan"` or `Player.local="1"`).
 * The address wins over a `wan` flag because Plex marks Docker bridges and other VLANs as WAN
 * although they are inside the house. `Player.remotePublicAddress` never decides: recorded LAN
 * sessions carry it too, set to the household's own public address
 * (home-assistant/core tests/components/plex/fixtures/session_base.xml).
 */
export function isRemoteSession(session: PlexSession, scope: AddressScope): boolean {
  if (session.address !== undefined) {
    const { kind, code } = scope.classify(session.address);
    // The household's own public IP (hairpin), the LAN and non-internet ranges are inside;
    // allowed people streaming from outside are still remote streams.
    if (kind === 'self' || kind === 'lan' || (kind === 'special' && code !== 'invalid')) return false;
  }
  if (session.location === 'lan' || session.local === true) return false;
  if (session.address !== undefined) return true;
  return session.location === 'wan' || session.local === false;
}

export const plexSessions: Check = plexCheck({
  id: 'plex-sessions',
  title: 'Remote streams and never-seen addresses',
  async run(ctx) {
    const sessions = await currentSessions(ctx);
    const remote = sessions.filter((s) => isRemoteSession(s, ctx.scope));
    const now = ctx.clock.now();
    const known = ctx.state.get('addresses', v.record(v.string(), v.number()));
    // 0 = learned by the first scan, never "new".
    const seen: Record<string, number> = { ...(known ?? {}) };
    for (const s of remote) seen[s.address ?? 'unknown'] ??= known === undefined ? 0 : now;
    const findings: FindingDraft[] = [];
    for (const s of remote) {
      const address = s.address ?? 'unknown';
      const who =
        s.userId === 1
          ? `${untrustedText(s.userTitle, 40)} (the owner account)`
          : untrustedText(s.userTitle, 40);
      const how = [
        `user=${who}`,
        `address=${address}`,
        ...(s.remotePublicAddress && s.remotePublicAddress !== address
          ? [`public address per plex.tv=${s.remotePublicAddress}`]
          : []),
        `location=${untrustedText(s.location, 8)}`,
        `player=${untrustedText(s.product, 30)} on ${untrustedText(s.platform, 30)}`,
        `secure=${s.secure === undefined ? '?' : s.secure ? '1' : '0'}`,
        `relayed=${s.relayed === undefined ? '?' : s.relayed ? '1' : '0'}`,
      ].join(', ');
      const key = keyPart(`${address}/${s.userId ?? s.userTitle ?? '?'}`);
      // An approver may stop the stream (Plex Pass only; proposed like a block, never automatic).
      const action: SuggestedAction | undefined =
        s.sessionId === undefined
          ? undefined
          : {
              kind: 'stop-stream',
              sessionId: s.sessionId,
              user: who,
              address,
              reason: STOP_REASON,
            };
      const firstSeen = seen[address] ?? 0;
      if (firstSeen !== 0 && now - firstSeen < NEW_ADDRESS_WINDOW_MS) {
        findings.push({
          key: `new-address:${key}`,
          severity: 'medium',
          title: `Remote stream from an address never seen before (${address})`,
          evidence: how,
          fix: 'If nobody recognises this viewer, revoke their access or change the owner password with "sign out of all devices", and consider /block for the address.',
          ...(action ? { action } : {}),
        });
      } else {
        findings.push({
          key: `remote:${key}`,
          severity: 'info',
          title: `Remote stream in progress for ${who}`,
          evidence: how,
          fix:
            s.secure === false
              ? 'This stream is not encrypted: set Secure connections to Required.'
              : 'Nothing to do if you know this viewer.',
          ...(action ? { action } : {}),
        });
      }
    }
    if (remote.length > 0) {
      const ids = remote.map(
        (s) => s.sessionId ?? `${s.address ?? '?'}/${s.userId ?? s.userTitle ?? '?'}/${s.title ?? '?'}`,
      );
      ctx.state.set(
        STREAM_DAYS_KEY,
        recordStreams(ctx.state.get(STREAM_DAYS_KEY, StreamDaysSchema), now, ids),
      );
    }
    const entries = Object.entries(seen).sort((a, b) => a[1] - b[1]);
    ctx.state.set('addresses', Object.fromEntries(entries.slice(-MAX_REMEMBERED)));
    return findings;
  },
});
