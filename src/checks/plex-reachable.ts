/**
 * plex-reachable — does the Plex Media Server answer, and does it accept our token?
 *
 * Why it matters: every other Plex check depends on it; a revoked or expired token would
 * otherwise leave the bot blind without anyone noticing.
 * False positives: a server restarting during the scan (the next scan resolves it).
 * Fix: start Plex / correct PLEX_URL; issue a new token with `plex-warden plex-login`.
 */
import type { FindingDraft } from '../domain/finding.js';
import { plexAvailability } from '../exposure/plex-availability.js';
import { displayUrl } from '../kernel/display-url.js';
import type { Check } from './types.js';

export const plexReachable: Check = {
  id: 'plex-reachable',
  title: 'Plex answers and accepts the token',
  async run(ctx) {
    const { identity, identityError, tokenError, server } = await plexAvailability(ctx);
    const url = displayUrl(ctx.plex.baseUrl);
    if (identityError || !identity) {
      const kind = identityError?.kind;
      if (kind === 'malformed' || kind === 'http-status' || kind === 'redirect' || kind === 'too-large') {
        return [
          {
            key: 'not-plex',
            severity: 'high',
            title: 'PLEX_URL does not answer like a Plex Media Server',
            evidence: `${identityError?.message ?? 'no identity'} (PLEX_URL=${url})`,
            fix: 'Point PLEX_URL at the server itself, e.g. http://192.168.1.10:32400 (not a reverse proxy page).',
          },
        ];
      }
      return [
        {
          key: 'unreachable',
          severity: 'high',
          title: 'Plex Media Server is not answering',
          evidence: identityError?.message ?? `no answer from ${url}`,
          fix: 'Check that Plex is running and that PLEX_URL (host and port 32400) is right; the bot cannot watch what it cannot reach.',
        },
      ];
    }
    const findings: FindingDraft[] = [];
    if (!ctx.plex.hasToken) {
      findings.push({
        key: 'no-token',
        severity: 'medium',
        title: 'PLEX_TOKEN is not set: most checks cannot run',
        evidence: `Plex ${identity.version} answers at ${url}, but without a token only /identity can be read.`,
        fix: "Set PLEX_TOKEN to the server owner's token (run `plex-warden plex-login`).",
      });
    } else if (tokenError) {
      const rejected = tokenError.kind === 'unauthorized';
      findings.push({
        key: rejected ? 'token-rejected' : 'token-unverified',
        severity: 'high',
        title: rejected ? 'Plex rejects the configured token' : 'The token could not be verified',
        evidence: `${tokenError.message}. Plex ${identity.version} at ${url}.`,
        fix: rejected
          ? 'The token was revoked or expired: create a new one with `plex-warden plex-login` and update PLEX_TOKEN.'
          : 'Check the Plex server log; the next scan retries.',
      });
    }
    if (
      server &&
      server.myPlexSigninState !== undefined &&
      server.myPlexSigninState !== 'ok' &&
      identity.claimed
    ) {
      findings.push({
        key: 'signed-out',
        severity: 'medium',
        title: 'Plex is not signed in to plex.tv',
        evidence: `myPlexSigninState=${String(server.myPlexSigninState)}`,
        fix: 'Sign the server in again under Settings > General; remote access and sharing depend on it.',
      });
    }
    return findings;
  },
};
