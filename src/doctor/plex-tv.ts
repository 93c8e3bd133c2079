/**
 * plex-tv — plex.tv answers (sign-in, token validity, update feed) and, with a token, knows it.
 * Why: `plex-login` and the version/advisory checks need plex.tv; a token plex.tv rejects
 * (401) or calls expired (498) stops working for the server soon too.
 */
import { PlexTvClient, PlexTvError } from '../adapters/plex/plex-tv-client.js';
import { clientIdentifierOrSkip } from './database.js';
import { fail, ok, type Probe, warn } from './types.js';

export const plexTv: Probe = {
  id: 'plex-tv',
  title: 'plex.tv',
  async run(ctx) {
    const { plex } = ctx.config;
    const clientIdentifier = await clientIdentifierOrSkip(ctx);
    if (typeof clientIdentifier !== 'string') return clientIdentifier;
    const client = new PlexTvClient({ baseUrl: plex.tvUrl, clientIdentifier, timeoutMs: plex.timeoutMs });
    let status: number;
    let username: string | undefined;
    try {
      ({ status, username } = await client.user(plex.token, ctx.signal));
    } catch (error) {
      if (!(error instanceof PlexTvError)) throw error;
      return fail(error.message, `Check that this machine reaches ${plex.tvUrl} (DNS, proxy, firewall).`);
    }
    if (plex.token === undefined) return ok(`${plex.tvUrl} answers (no PLEX_TOKEN to verify)`);
    if (status === 200)
      return ok(`${plex.tvUrl} answers; the token belongs to ${username ?? 'a plex.tv account'}`);
    if (status === 498)
      return fail('plex.tv says the token expired', 'Run `plex-warden plex-login` for a new token.');
    if (status === 401)
      return warn(
        'plex.tv answers but does not accept PLEX_TOKEN as an account token',
        'If the Plex server line above is fine this is a server-local token and may be used as is; otherwise run `plex-warden plex-login`.',
      );
    return warn(`plex.tv answered HTTP ${status}`, 'Try again later; plex.tv may be having trouble.');
  },
};
