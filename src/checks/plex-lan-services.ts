/**
 * plex-lan-services — the discovery services Plex runs for the LAN: DLNA and GDM.
 *
 * Why it matters: the DLNA server hands the whole library to any device on the LAN with no
 * sign-in at all (by design); GDM answers discovery on udp 32410-32414. Both are fine inside the
 * house and dangerous when forwarded: exposed GDM/SSDP has been used for DDoS amplification.
 * False positives: a household that plays to a DLNA TV on purpose (DLNA is reported as low).
 * Fix: Settings > DLNA > untick "Enable the DLNA server" if unused; never forward 1900/udp,
 * 32410-32414/udp or 32469/tcp on the router.
 */
import type { FindingDraft } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { prefBool, readPrefs } from '../exposure/plex-prefs.js';
import type { Check } from './types.js';

export const plexLanServices: Check = plexCheck({
  id: 'plex-lan-services',
  title: 'Plex LAN discovery services (DLNA, GDM)',
  async run(ctx) {
    const prefs = await readPrefs(ctx);
    const findings: FindingDraft[] = [];
    if (prefBool(prefs, 'DlnaEnabled') === true) {
      findings.push({
        key: 'dlna',
        severity: 'low',
        title: 'The Plex DLNA server is on: the library is open to every LAN device without sign-in',
        evidence: 'DlnaEnabled=1 (tcp 32469, udp 1900)',
        fix: 'Untick Settings > DLNA > "Enable the DLNA server" unless a TV needs it; never forward 1900/udp or 32469/tcp.',
      });
    }
    if (prefBool(prefs, 'GdmEnabled') === true) {
      findings.push({
        key: 'gdm',
        severity: 'info',
        title: 'Plex LAN discovery (GDM) is on',
        evidence: 'GdmEnabled=1 (udp 32410, 32412, 32413, 32414)',
        fix: 'Fine on the LAN; make sure no router forward or UPnP mapping exposes 32410-32414/udp.',
      });
    }
    return findings;
  },
});
