/**
 * plex-secure-connections — does Plex insist on TLS?
 *
 * Why it matters: with "Preferred" a client that fails TLS falls back to plain HTTP and sends
 * its X-Plex-Token in clear over whatever network it is on; "Disabled" makes that the norm.
 * False positives: very old clients (some smart TVs) need Preferred; the risk stays real.
 * Fix: Settings > Network > Secure connections = Required.
 */
import { plexCheck } from '../exposure/plex-availability.js';
import { prefInt, prefText, readPrefs } from '../exposure/plex-prefs.js';
import { type Check, CheckError } from './types.js';

const NAMES = { 0: 'Required', 1: 'Preferred', 2: 'Disabled' } as const satisfies Record<number, string>;
const FIX =
  'Set Settings > Network > Secure connections to Required (check that your clients still connect).';

export const plexSecureConnections: Check = plexCheck({
  id: 'plex-secure-connections',
  title: 'Plex requires secure connections',
  async run(ctx) {
    const prefs = await readPrefs(ctx);
    const value = prefInt(prefs, 'secureConnections');
    if (value === 0) return [];
    if (value === 1) {
      return [
        {
          key: 'not-required',
          severity: 'medium',
          title: 'Plex accepts plain-HTTP connections (Secure connections: Preferred)',
          evidence:
            'secureConnections=1 (Preferred): clients may fall back to HTTP and send their token in clear',
          fix: FIX,
        },
      ];
    }
    if (value === 2) {
      return [
        {
          key: 'not-required',
          severity: 'high',
          title: 'Plex has secure connections disabled',
          evidence: 'secureConnections=2 (Disabled): every client talks plain HTTP, tokens included',
          fix: FIX,
        },
      ];
    }
    const raw = prefText(prefs, 'secureConnections');
    if (raw === undefined) throw new CheckError('Plex did not report the secureConnections setting');
    return [
      {
        key: 'not-required',
        severity: 'medium',
        title: 'Plex reports an unknown Secure connections value',
        evidence: `secureConnections=${raw.slice(0, 20)} (expected 0 = ${NAMES[0]}, 1 = ${NAMES[1]} or 2 = ${NAMES[2]})`,
        fix: FIX,
      },
    ];
  },
});
