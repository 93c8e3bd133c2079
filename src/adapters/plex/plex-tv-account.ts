/**
 * The owner's plex.tv account as public clients read it: its security state, the devices signed
 * in to it, and the people the server is shared with. Field names and meanings from python-plexapi
 * `plexapi/myplex.py` (vendored in Tautulli as `lib/plexapi/myplex.py`): MyPlexAccount (key
 * `https://plex.tv/api/v2/user`: twoFactorEnabled, backupCodesCreated, hasPassword, homeAdmin,
 * homeSize), MyPlexDevice (key `https://plex.tv/devices.xml`, `Device` attributes name, product,
 * platform, clientIdentifier, id, createdAt, lastSeenAt, publicAddress, token, and `Connection uri`
 * children; `delete()` sends `DELETE https://plex.tv/devices/{id}.xml`), MyPlexUser (key
 * `https://plex.tv/api/users/`: `User` with home, restricted, allowSync, allowCameraUpload,
 * allowChannels, and MyPlexServerShare `Server` children with machineIdentifier, name,
 * allLibraries, numLibraries, pending). Times are epoch seconds (utils.toDatetime).
 *
 * Every device carries its own account token. It is dropped inside the XML parser itself (the
 * attribute value is replaced before any object holds it), so no parsed value, log line, stored
 * row or message can carry it.
 */
import { XMLParser } from 'fast-xml-parser';
import * as v from 'valibot';
import { checkSchema } from '../../kernel/schema.js';

/** Plex sends booleans as true/false, 1/0 or "1"/"0" depending on endpoint and version. */
const Flag = v.optional(
  v.pipe(
    v.union([v.boolean(), v.number(), v.string(), v.null()]),
    v.transform((value) => value === true || value === 1 || value === '1' || value === 'true'),
  ),
  false,
);
const Text = v.optional(
  v.pipe(
    v.union([v.string(), v.number(), v.null()]),
    v.transform((s) => (s === null ? '' : String(s))),
  ),
  '',
);
/** Epoch seconds (as a number or a numeric string) → epoch ms; anything else is unknown. */
const EpochSeconds = v.optional(
  v.pipe(
    v.union([v.number(), v.string(), v.null()]),
    v.transform((s) => {
      const n = typeof s === 'number' ? s : Number(s);
      return s !== null && s !== '' && Number.isFinite(n) && n > 0 ? n * 1_000 : undefined;
    }),
  ),
);

// `GET /api/v2/user` with Accept: application/json answers one object with these fields.
const AccountSchema = v.looseObject({
  id: v.optional(v.union([v.number(), v.string()])),
  username: Text,
  twoFactorEnabled: v.union([v.boolean(), v.number(), v.string()]),
  backupCodesCreated: Flag,
  hasPassword: Flag,
  homeAdmin: Flag,
  homeSize: v.optional(v.union([v.number(), v.string()])),
});

export interface AccountSecurity {
  readonly username: string;
  readonly twoFactorEnabled: boolean;
  readonly backupCodesCreated: boolean;
  readonly hasPassword: boolean;
  readonly homeAdmin: boolean;
  readonly homeSize: number | undefined;
}

/** The security fields of `/api/v2/user`; `authToken` and the rest are never read. */
export function parseAccount(json: unknown, fail: (problem: string) => Error): AccountSecurity {
  const a = checkSchema(json, AccountSchema, fail);
  const homeSize = Number(a.homeSize);
  const bool = (value: unknown) => value === true || value === 1 || value === '1' || value === 'true';
  return {
    username: a.username,
    twoFactorEnabled: bool(a.twoFactorEnabled),
    backupCodesCreated: a.backupCodesCreated,
    hasPassword: a.hasPassword,
    homeAdmin: a.homeAdmin,
    homeSize: Number.isSafeInteger(homeSize) ? homeSize : undefined,
  };
}

/** Attributes whose values are credentials: replaced while the parser reads them. */
const SECRET_ATTRIBUTES = new Set(['token', 'accessToken', 'authToken', 'authenticationToken']);
const DROPPED = '';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => ['Device', 'Connection', 'User', 'Server'].includes(name),
  attributeValueProcessor: (name, value) => (SECRET_ATTRIBUTES.has(name) ? DROPPED : value),
});

function parseXml(text: string, fail: (problem: string) => Error): unknown {
  if (!text.trimStart().startsWith('<')) throw fail('top level: expected XML');
  try {
    return parser.parse(text);
  } catch {
    throw fail('top level: expected well-formed XML');
  }
}

const DeviceSchema = v.looseObject({
  id: v.pipe(v.union([v.string(), v.number()]), v.transform(String), v.regex(/^\d{1,15}$/)),
  name: Text,
  product: Text,
  platform: Text,
  clientIdentifier: Text,
  publicAddress: Text,
  createdAt: EpochSeconds,
  lastSeenAt: EpochSeconds,
  Connection: v.optional(v.array(v.looseObject({ uri: Text })), []),
});
const DevicesSchema = v.object({
  MediaContainer: v.looseObject({ Device: v.optional(v.array(v.unknown()), []) }),
});

export interface AccountDevice {
  /** plex.tv's id of the device: what `DELETE /devices/{id}.xml` takes. */
  readonly id: string;
  readonly name: string;
  readonly product: string;
  readonly platform: string;
  readonly clientIdentifier: string;
  readonly publicAddress: string;
  /** Epoch ms. */
  readonly createdAt: number | undefined;
  readonly lastSeenAt: number | undefined;
  readonly connections: readonly string[];
}

/** `devices.xml` → the devices, without their tokens; a Device that does not parse is skipped. */
export function parseDevices(text: string, fail: (problem: string) => Error): AccountDevice[] {
  const root = checkSchema(parseXml(text, fail), DevicesSchema, fail);
  return root.MediaContainer.Device.flatMap((raw) => {
    const parsed = v.safeParse(DeviceSchema, raw);
    if (!parsed.success) return [];
    const d = parsed.output;
    return [
      {
        id: d.id,
        name: d.name,
        product: d.product,
        platform: d.platform,
        clientIdentifier: d.clientIdentifier,
        publicAddress: d.publicAddress,
        createdAt: d.createdAt,
        lastSeenAt: d.lastSeenAt,
        connections: d.Connection.map((c) => c.uri).filter((uri) => uri !== ''),
      },
    ];
  });
}

const ServerShareSchema = v.looseObject({
  machineIdentifier: Text,
  name: Text,
  allLibraries: Flag,
  numLibraries: v.optional(v.union([v.string(), v.number()])),
  pending: Flag,
});
const UserSchema = v.looseObject({
  id: v.pipe(v.union([v.string(), v.number()]), v.transform(String), v.regex(/^\d{1,15}$/)),
  title: Text,
  username: Text,
  home: Flag,
  restricted: Flag,
  allowSync: Flag,
  allowCameraUpload: Flag,
  allowChannels: Flag,
  Server: v.optional(v.array(ServerShareSchema), []),
});
const UsersSchema = v.object({
  MediaContainer: v.looseObject({ User: v.optional(v.array(v.unknown()), []) }),
});

export interface ServerShare {
  readonly machineIdentifier: string;
  readonly name: string;
  readonly allLibraries: boolean;
  readonly numLibraries: number | undefined;
  readonly pending: boolean;
}

export interface SharedUser {
  /** plex.tv's user id: what removing the share takes. */
  readonly id: string;
  /** username, else title (managed home users have no username). */
  readonly name: string;
  readonly home: boolean;
  readonly restricted: boolean;
  readonly allowSync: boolean;
  readonly allowCameraUpload: boolean;
  readonly allowChannels: boolean;
  readonly servers: readonly ServerShare[];
}

/** `/api/users` → friends and home users with their server shares; odd entries are skipped. */
export function parseSharedUsers(text: string, fail: (problem: string) => Error): SharedUser[] {
  const root = checkSchema(parseXml(text, fail), UsersSchema, fail);
  return root.MediaContainer.User.flatMap((raw) => {
    const parsed = v.safeParse(UserSchema, raw);
    if (!parsed.success) return [];
    const u = parsed.output;
    return [
      {
        id: u.id,
        name: u.username !== '' ? u.username : u.title,
        home: u.home,
        restricted: u.restricted,
        allowSync: u.allowSync,
        allowCameraUpload: u.allowCameraUpload,
        allowChannels: u.allowChannels,
        servers: u.Server.map((s) => {
          const n = Number(s.numLibraries);
          return {
            machineIdentifier: s.machineIdentifier,
            name: s.name,
            allLibraries: s.allLibraries,
            numLibraries: Number.isSafeInteger(n) ? n : undefined,
            pending: s.pending,
          };
        }),
      },
    ];
  });
}
