import * as v from 'valibot';
import { PlexError } from './plex-client.js';

/**
 * Schemas of Plex Media Server answers (the `MediaContainer` / `MyPlex` the client returns).
 * Loose on purpose: servers add fields between versions, and only the fields the bot reads are
 * named. Scalars may arrive as JSON numbers, booleans or strings depending on the version
 * (plex-api.rs prefs.json sends booleans, home-assistant's XML fixtures send "1"/"0").
 * Shapes: home-assistant/core tests/components/plex/fixtures/{session_base,plex_server_base,
 * release_new_not_updatable}.xml, andrey-yantsen/plex-api.rs crates/plex-api/tests/mocks/server/prefs.json,
 * https://www.plexopedia.com/plex-media-server/api/server/devices/.
 */
const scalar = v.optional(v.union([v.string(), v.number(), v.boolean()]));
const child = v.optional(v.looseObject({}));
const listOf = <T extends v.GenericSchema>(item: T) => v.optional(v.array(item));

const SessionItemSchema = v.looseObject({
  title: scalar,
  grandparentTitle: scalar,
  User: child,
  Player: child,
  Session: child,
});

export const SessionsSchema = v.looseObject({
  Metadata: listOf(SessionItemSchema),
  Video: listOf(SessionItemSchema),
  Track: listOf(SessionItemSchema),
});

export const DevicesSchema = v.looseObject({
  Device: listOf(
    v.looseObject({
      id: scalar,
      name: scalar,
      platform: scalar,
      clientIdentifier: scalar,
      createdAt: scalar,
    }),
  ),
});

export const UpdaterStatusSchema = v.looseObject({
  canInstall: scalar,
  Release: listOf(v.looseObject({ version: scalar, state: scalar })),
});

/** `GET /:/prefs`: plex-api.rs prefs.json (`Setting[]`, each with `id`, `type`, `value`, ...). */
export const PrefsSchema = v.looseObject({
  Setting: v.array(v.looseObject({ id: scalar, type: scalar, value: scalar })),
});

/** `GET /`: home-assistant plex_server_base.xml (the fields the checks read). */
export const ServerRootSchema = v.looseObject({
  friendlyName: scalar,
  version: scalar,
  platform: scalar,
  myPlex: scalar,
  myPlexSigninState: scalar,
  myPlexMappingState: scalar,
});

export const MyPlexAccountSchema = v.looseObject({
  signInState: scalar,
  mappingState: scalar,
  mappingError: scalar,
  mappingErrorMessage: scalar,
  publicAddress: scalar,
  publicPort: scalar,
  privateAddress: scalar,
  privatePort: scalar,
});

/** Parses a container or throws a PlexError naming the path and the first offending field. */
export function parsePlex<T extends v.GenericSchema>(
  schema: T,
  container: unknown,
  label: string,
): v.InferOutput<T> {
  const result = v.safeParse(schema, container);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const where = issue?.path?.map((p) => String(p.key)).join('.') || 'the container';
  throw new PlexError('malformed', `${label} answered an unexpected shape at ${where}`.slice(0, 200));
}
