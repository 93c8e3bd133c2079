import { PlexError, type PlexIdentity } from '../adapters/plex/plex-client.js';
import { parsePlex, ServerRootSchema } from '../adapters/plex/plex-schemas.js';
import { type Check, type CheckContext, CheckSkipped } from '../checks/types.js';
import type { FindingDraft } from '../domain/finding.js';

export interface PlexAvailability {
  readonly identity: PlexIdentity | undefined;
  /** `GET /` answered with the token: the token works. */
  readonly server: Record<string, unknown> | undefined;
  readonly identityError: PlexError | undefined;
  readonly tokenError: PlexError | undefined;
}

/**
 * Asks Plex once per scan whether it answers and accepts the token; every Plex check shares the
 * answer, so an outage gives one finding (from plex-reachable) instead of one per check.
 */
export function plexAvailability(ctx: CheckContext): Promise<PlexAvailability> {
  return ctx.shared.once('plex:availability', async () => {
    let identity: PlexIdentity | undefined;
    let identityError: PlexError | undefined;
    try {
      identity = await ctx.plex.identity(ctx.signal);
    } catch (error) {
      if (!(error instanceof PlexError)) throw error;
      identityError = error;
      return { identity, server: undefined, identityError, tokenError: undefined };
    }
    if (!ctx.plex.hasToken) return { identity, server: undefined, identityError, tokenError: undefined };
    try {
      const server = parsePlex(ServerRootSchema, await ctx.plex.get('/', { signal: ctx.signal }), 'GET /');
      return { identity, server, identityError, tokenError: undefined };
    } catch (error) {
      if (!(error instanceof PlexError)) throw error;
      return { identity, server: undefined, identityError, tokenError: error };
    }
  });
}

/** For checks that need an authenticated Plex: skips quietly when plex-reachable already reports why. */
export async function requirePlex(ctx: CheckContext): Promise<PlexAvailability> {
  const availability = await plexAvailability(ctx);
  if (availability.identityError)
    throw new CheckSkipped('Plex is not answering (reported by plex-reachable)');
  if (!ctx.plex.hasToken) throw new CheckSkipped('PLEX_TOKEN is not set (reported by plex-reachable)');
  if (availability.tokenError)
    throw new CheckSkipped('the Plex token is not accepted (reported by plex-reachable)');
  return availability;
}

/** A check that needs an authenticated Plex: run only once requirePlex passed, with what it learned. */
export interface PlexCheckDefinition extends Omit<Check, 'run'> {
  run(ctx: CheckContext, plex: PlexAvailability): Promise<readonly FindingDraft[]>;
}

export function plexCheck(definition: PlexCheckDefinition): Check {
  return { ...definition, run: async (ctx) => definition.run(ctx, await requirePlex(ctx)) };
}
