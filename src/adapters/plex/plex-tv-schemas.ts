import * as v from 'valibot';

// Shapes as python-plexapi reads them (pkkid/python-plexapi, plexapi/myplex.py: MyPlexPinLogin
// for /api/v2/pins, MyPlexResource and ResourceConnection for /api/v2/resources) and Tautulli's
// plextv.py for /api/downloads/5.json. Loose objects: plex.tv adds fields over time.
export const PinSchema = v.looseObject({
  id: v.union([
    v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)),
  ]),
  code: v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{4,64}$/)),
  expiresAt: v.optional(v.nullable(v.string())),
  expiresIn: v.optional(v.nullable(v.number())),
  authToken: v.optional(v.nullable(v.string())),
});

export const UserSchema = v.looseObject({ username: v.optional(v.nullable(v.string())) });

export const FeedEntries = v.optional(
  v.record(v.string(), v.looseObject({ version: v.optional(v.unknown()) })),
  {},
);
export const DownloadsSchema = v.looseObject({ computer: FeedEntries, nas: FeedEntries });

/** Plex sends booleans as true/false, 1/0 or "1"/"0" depending on endpoint and version. */
export const PlexBool = v.optional(
  v.pipe(
    v.union([v.boolean(), v.number(), v.string(), v.null()]),
    v.transform((value) => value === true || value === 1 || value === '1' || value === 'true'),
  ),
  false,
);
export const text = v.optional(
  v.pipe(
    v.nullable(v.string()),
    v.transform((s) => s ?? ''),
  ),
  '',
);

export const ConnectionSchema = v.object({
  uri: text,
  protocol: text,
  address: text,
  port: v.pipe(
    v.unknown(),
    v.transform((p) => (typeof p === 'number' ? p : undefined)),
  ),
  local: PlexBool,
  relay: PlexBool,
});

export type PublishedConnection = Readonly<v.InferOutput<typeof ConnectionSchema>>;

export const ResourcesSchema = v.array(
  v.looseObject({
    clientIdentifier: v.optional(v.unknown()),
    owned: v.optional(v.unknown()),
    connections: v.optional(v.nullable(v.array(v.unknown()))),
  }),
);
