import type { PlexClient } from '../adapters/plex/plex-client.js';
import { type PlexTvClient, PlexTvError } from '../adapters/plex/plex-tv-client.js';
import { UserError } from '../kernel/errors.js';

/**
 * Throws a UserError unless PLEX_TOKEN belongs to the account that owns the server (its
 * `/api/v2/resources` entry is `owned`, as python-plexapi's MyPlexResource reads it). Asked when a
 * command reads the account and again right before an account action runs.
 */
export async function assertAccountOwner(
  plex: PlexClient,
  plexTv: PlexTvClient,
  signal: AbortSignal,
): Promise<void> {
  if (!plex.hasToken) throw new UserError("This needs the server owner's PLEX_TOKEN, which is not set.");
  const identity = await plex.identity(signal);
  let owns: boolean;
  try {
    owns = await plexTv.ownsServer(identity.machineIdentifier, signal);
  } catch (error) {
    if (error instanceof PlexTvError && error.kind === 'unauthorized')
      throw new UserError("plex.tv did not accept PLEX_TOKEN: this needs the server owner's token.");
    throw error;
  }
  if (!owns)
    throw new UserError(
      "PLEX_TOKEN is not the server owner's: plex.tv does not list this server as owned by its account.",
    );
}
