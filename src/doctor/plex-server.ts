/**
 * plex-server — PLEX_URL answers like a Plex Media Server and accepts PLEX_TOKEN.
 * Why: without it every Plex check is blind. Fix: PLEX_URL host:32400, `plex-warden plex-login`.
 */
import { PlexClient, PlexError } from '../adapters/plex/plex-client.js';
import { clientIdentifierOrSkip } from './database.js';
import { fail, ok, type Probe, warn } from './types.js';

export const plexServer: Probe = {
  id: 'plex-server',
  title: 'Plex server',
  async run(ctx) {
    const { plex } = ctx.config;
    const clientIdentifier = await clientIdentifierOrSkip(ctx);
    if (typeof clientIdentifier !== 'string') return clientIdentifier;
    const client = new PlexClient({
      baseUrl: plex.url,
      token: plex.token,
      clientIdentifier,
      timeoutMs: plex.timeoutMs,
    });
    let version: string;
    try {
      version = (await client.identity(ctx.signal)).version;
    } catch (error) {
      // A bug is not an answer of Plex: the doctor prints it with a reference and logs it.
      if (!(error instanceof PlexError)) throw error;
      return fail(
        error.message,
        'Start Plex, or set PLEX_URL to the address this machine reaches it at (http://LAN-IP:32400).',
      );
    }
    if (!client.hasToken) {
      return warn(
        `Plex ${version} answers at ${plex.url}; PLEX_TOKEN is not set, so most checks cannot run`,
        'Run `plex-warden plex-login` and put the printed PLEX_TOKEN line in .env.',
      );
    }
    try {
      await client.get('/', { signal: ctx.signal });
    } catch (error) {
      if (!(error instanceof PlexError)) throw error;
      if (error.kind === 'unauthorized')
        return fail(
          `Plex ${version} at ${plex.url} rejects PLEX_TOKEN`,
          'The token was revoked or mistyped: run `plex-warden plex-login` for a new one.',
        );
      return fail(error.message, 'Check the Plex server log; then run the doctor again.');
    }
    return ok(`Plex ${version} at ${plex.url} accepts the token`);
  },
};
