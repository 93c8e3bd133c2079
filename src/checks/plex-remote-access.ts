/**
 * plex-remote-access — is Plex's Remote Access on, is the router mapping in place, and is a
 * manual port forward in play?
 *
 * Why it matters: with Remote Access on, port 32400 of the house is open to the internet; with
 * manual port mode, a forward someone made on the router stays open even after Remote Access is
 * switched off in Plex ("off does not mean unexposed").
 * False positives: a household that shares with family on purpose will see `enabled` (low) all
 * the time — snooze it. Plex may keep an old `mapped` state for a while after switching off.
 * Also: Remote Access on but Plex reporting itself unreachable from the internet for longer
 * than PLEX_DOWN_GRACE (its `reachability` notification, recorded by the live watcher): the
 * household's remote streams fail, or fall back to the relay.
 * Fix: Settings > Remote Access > Disable; remove the manual forward to 32400 on the router.
 */
import type { FindingDraft } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { prefBool, prefInt, readPrefs, showBool } from '../exposure/plex-prefs.js';
import { readMyPlexAccount } from '../exposure/plex-resources.js';
import { readRemoteReachability, unreachableLongEnough } from '../exposure/remote-reachability.js';
import type { Check } from './types.js';

/** Plex reports these while a mapping exists or is being negotiated (plex-reference.md). */
const ACTIVE_MAPPING = new Set(['mapped', 'waiting']);

export const plexRemoteAccess: Check = plexCheck({
  id: 'plex-remote-access',
  title: 'Plex Remote Access and port mapping',
  async run(ctx) {
    const [prefs, account] = await Promise.all([readPrefs(ctx), readMyPlexAccount(ctx)]);
    const enabled = prefBool(prefs, 'PublishServerOnPlexOnlineKey');
    const manual = prefBool(prefs, 'ManualPortMappingMode');
    const manualPort = prefInt(prefs, 'ManualPortMappingPort');
    const mapping = account.mappingState ?? 'unknown';
    const mapped = ACTIVE_MAPPING.has(mapping);
    const publicEnd =
      account.publicAddress !== undefined
        ? `${account.publicAddress}:${account.publicPort ?? manualPort ?? '?'}`
        : 'unknown';
    const facts = `PublishServerOnPlexOnlineKey=${showBool(enabled)}, mappingState=${mapping}, public address ${publicEnd}`;
    const findings: FindingDraft[] = [];

    if (enabled === true) {
      findings.push({
        key: 'enabled',
        severity: 'low',
        title: 'Plex Remote Access is on: port 32400 is open to the internet',
        evidence: facts,
        fix: 'If nobody streams from outside the house, turn it off under Settings > Remote Access (or /remote-access off).',
      });
      if (!mapped) {
        const error = [account.mappingError, account.mappingErrorMessage].filter(Boolean).join(': ');
        findings.push({
          key: 'mapping-failed',
          severity: 'info',
          title: 'Remote Access is on but Plex has no working port mapping',
          evidence: `${facts}${error ? `, mappingError=${error}` : ''}`,
          fix: 'Either turn Remote Access off, or fix the forward (UPnP on the router or a manual port); remote clients may be using the relay meanwhile.',
        });
      }
      const reachability = readRemoteReachability(ctx.state);
      // The evidence stays the same while the outage lasts (no mapping state, no "minutes ago"):
      // a changed text is a changed finding, posted again.
      if (unreachableLongEnough(reachability, ctx.clock.now(), ctx.config.plex.downGraceMs)) {
        findings.push({
          key: 'unreachable',
          severity: 'low',
          title: 'Plex Remote Access is down: the server cannot be reached from the internet',
          evidence: `Plex has reported itself unreachable from the internet since ${new Date(reachability.since).toISOString()} (PublishServerOnPlexOnlineKey=1)`,
          fix: 'Check the router forward or UPnP mapping to port 32400 and the public address; Settings > Remote Access shows what plex.tv sees.',
        });
      }
    } else if (mapped) {
      findings.push({
        key: 'still-mapped',
        severity: 'medium',
        title: 'Remote Access is off, but Plex still reports a public mapping',
        evidence: facts,
        fix: 'Delete the router forward or UPnP mapping to port 32400, then check the public footprint again.',
      });
    }

    if (manual === true) {
      findings.push({
        key: 'manual-port',
        severity: enabled === true ? 'low' : 'medium',
        title:
          enabled === true
            ? 'Remote Access uses a manual port forward'
            : 'A manual port forward is configured while Remote Access is off',
        evidence: `ManualPortMappingMode=1, ManualPortMappingPort=${manualPort ?? '?'}, PublishServerOnPlexOnlineKey=${showBool(enabled)}`,
        fix:
          enabled === true
            ? 'A manual forward stays open when Remote Access is switched off: remember to remove it on the router too.'
            : `Remove the forward of port ${manualPort ?? 32400} on the router and untick "Manually specify public port"; the server still listens on it.`,
      });
    }
    return findings;
  },
});
