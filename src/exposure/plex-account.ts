import { PlexTvError } from '../adapters/plex/plex-tv-client.js';
import { type CheckContext, CheckSkipped } from '../checks/types.js';
import { requirePlex } from './plex-availability.js';

export type OwnerVerdict =
  | { readonly kind: 'owner' }
  /** plex.tv refused the token (401/498) or the token's account does not own this server. */
  | { readonly kind: 'not-owner'; readonly why: string };

/**
 * Whether PLEX_TOKEN is the server owner's account token, asked once per scan: the account
 * checks read (and the account actions change) the owner's plex.tv account, never anyone else's.
 */
export function ownerVerdict(ctx: CheckContext): Promise<OwnerVerdict> {
  return ctx.shared.once('plex-tv:owner', async () => {
    const { identity } = await requirePlex(ctx);
    if (!identity) throw new CheckSkipped('Plex did not say which server it is (reported by plex-reachable)');
    try {
      const owns = await ctx.plexTv.ownsServer(identity.machineIdentifier, ctx.signal);
      return owns
        ? { kind: 'owner' }
        : {
            kind: 'not-owner',
            why: "plex.tv does not list this server as owned by PLEX_TOKEN's account",
          };
    } catch (error) {
      if (error instanceof PlexTvError && error.kind === 'unauthorized')
        return { kind: 'not-owner', why: `plex.tv did not accept PLEX_TOKEN (${error.message})` };
      // plex.tv away (or blocked from this host) is not news about the account: the findings stay
      // as they were, like plex-published-urls keeps its own when plex.tv does not answer.
      if (error instanceof PlexTvError && (error.kind === 'unreachable' || error.kind === 'timeout')) {
        ctx.logger.warn('plex.tv not answering; account checks skipped', { reason: error.message });
        throw new CheckSkipped(`plex.tv is not answering (${error.message})`);
      }
      throw error;
    }
  });
}

/** For the account checks other than plex-account: plex-account says once why they did not run. */
export async function requireOwner(ctx: CheckContext): Promise<void> {
  const verdict = await ownerVerdict(ctx);
  if (verdict.kind !== 'owner')
    throw new CheckSkipped("PLEX_TOKEN is not the server owner's (reported by plex-account)");
}
