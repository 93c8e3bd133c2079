/**
 * plex-published-urls — which addresses does plex.tv hand out for this server?
 *
 * Why it matters: `customConnections` URLs are published to plex.tv for every client to try,
 * independently of Remote Access; a plain `http://` one makes clients send their token in clear
 * across the internet. The relay keeps the server reachable from outside even with every port
 * closed ("off does not mean unexposed").
 * False positives: a reverse proxy URL is often intended (reported as info when it is https).
 * Fix: Settings > Network > "Custom server access URLs": https only, or empty; turn "Enable Relay"
 * off if nobody streams from outside.
 */

import { PlexTvError } from '../adapters/plex/plex-tv-client.js';
import type { FindingDraft } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { prefBool, prefText, readPrefs } from '../exposure/plex-prefs.js';
import { displayUrl } from '../kernel/display-url.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import type { Check } from './types.js';

const FIX_URLS =
  'Settings > Network > "Custom server access URLs": use https:// URLs only (or leave it empty).';

function endpointOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

export const plexPublishedUrls: Check = plexCheck({
  id: 'plex-published-urls',
  title: 'Addresses Plex publishes to plex.tv, and the relay',
  async run(ctx, { identity }) {
    const prefs = await readPrefs(ctx);
    const findings: FindingDraft[] = [];
    const custom = (prefText(prefs, 'customConnections') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const entry of custom) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        findings.push({
          key: `unparsed:${keyPart(entry)}`,
          severity: 'low',
          title: 'customConnections has an entry that is not an http(s) URL',
          evidence: `customConnections contains "${untrustedText(displayUrl(entry), 60)}"`,
          fix: FIX_URLS,
        });
        continue;
      }
      const endpoint = endpointOf(url);
      // Only scheme, host and port: a path or query could carry a token.
      const shown = `${url.protocol}//${url.host}`;
      if (url.protocol === 'http:') {
        findings.push({
          key: `http:${keyPart(endpoint)}`,
          severity: 'high',
          title: 'Plex publishes a plain-HTTP address to plex.tv',
          evidence: `customConnections contains ${shown}: clients anywhere send their token over it unencrypted`,
          fix: FIX_URLS,
        });
      } else {
        findings.push({
          key: `custom:${keyPart(endpoint)}`,
          severity: 'info',
          title: 'Plex publishes a custom address to plex.tv',
          evidence: `customConnections contains ${shown}; every client of the server is told to try it`,
          fix: 'Fine for a reverse proxy you run on purpose; remove it from "Custom server access URLs" otherwise.',
        });
      }
    }

    const relay = prefBool(prefs, 'RelayEnabled');
    if (relay === true) {
      findings.push({
        key: 'relay',
        severity: 'info',
        title: 'Plex Relay is enabled: the server is reachable through plex.tv even with ports closed',
        evidence: 'RelayEnabled=1',
        fix: 'If nobody streams from outside, untick Settings > Network > "Enable Relay".',
      });
    }

    if (identity) {
      try {
        const published = await ctx.plexTv.publishedConnections(identity.machineIdentifier, ctx.signal);
        const remote = (published ?? []).filter((c) => !c.local && !c.relay);
        for (const c of remote.filter((c) => c.protocol === 'http')) {
          const endpoint = `${c.address}:${c.port ?? '?'}`;
          findings.push({
            key: `published-http:${keyPart(endpoint)}`,
            severity: 'high',
            title: 'plex.tv tells clients to reach this server over plain HTTP from the internet',
            evidence: `plex.tv resources lists a public connection http://${untrustedText(endpoint)} (local=0, relay=0)`,
            fix: 'Set Secure connections to Required and remove plain-HTTP custom URLs; then check again.',
          });
        }
      } catch (error) {
        // The settings above are the main evidence; plex.tv being away must not hide them.
        if (!(error instanceof PlexTvError)) throw error;
        ctx.logger.warn('plex.tv resources not read', { reason: error.message });
      }
    }
    return findings;
  },
});
