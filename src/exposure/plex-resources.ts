import { isObject, parseBool } from '../adapters/plex/plex-client.js';
import {
  DevicesSchema,
  MyPlexAccountSchema,
  parsePlex,
  SessionsSchema,
  UpdaterStatusSchema,
} from '../adapters/plex/plex-schemas.js';
import type { CheckContext } from '../checks/types.js';
import { normalizeIp } from '../net/ip.js';

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
/** Plex writes IPv4 clients as `::ffff:1.2.3.4` on dual-stack sockets. */
const address = (value: unknown): string | undefined => {
  const text = str(value)?.trim();
  if (!text) return undefined;
  return normalizeIp(text) ?? text.replace(/^::ffff:/i, '');
};

export interface MyPlexAccount {
  readonly signInState: string | undefined;
  readonly mappingState: string | undefined;
  readonly mappingError: string | undefined;
  readonly mappingErrorMessage: string | undefined;
  readonly publicAddress: string | undefined;
  readonly publicPort: number | undefined;
  readonly privateAddress: string | undefined;
  readonly privatePort: number | undefined;
}

/** `GET /myplex/account` once per scan (remote-access state and the public address Plex sees). */
export function readMyPlexAccount(ctx: CheckContext): Promise<MyPlexAccount> {
  return ctx.shared.once('plex:myplex-account', async () => {
    const c = parsePlex(
      MyPlexAccountSchema,
      await ctx.plex.get('/myplex/account', { signal: ctx.signal }),
      'GET /myplex/account',
    );
    const nonEmpty = (v: unknown) => {
      const s = str(v)?.trim();
      return s ? s : undefined;
    };
    const port = (v: unknown) => {
      const n = num(v);
      return n !== undefined && n > 0 ? n : undefined;
    };
    return {
      signInState: nonEmpty(c.signInState),
      mappingState: nonEmpty(c.mappingState),
      mappingError: nonEmpty(c.mappingError),
      mappingErrorMessage: nonEmpty(c.mappingErrorMessage),
      publicAddress: address(c.publicAddress),
      publicPort: port(c.publicPort),
      privateAddress: address(c.privateAddress),
      privatePort: port(c.privatePort),
    };
  });
}

export interface PlexSession {
  readonly sessionId: string | undefined;
  readonly userId: number | undefined;
  readonly userTitle: string | undefined;
  /** `Player.address`: where the player connects from, as the server sees it. */
  readonly address: string | undefined;
  /**
   * `Player.remotePublicAddress`: the player's public address per plex.tv. LAN players carry it
   * too (the household's own public address), so it never decides LAN vs remote.
   */
  readonly remotePublicAddress: string | undefined;
  readonly local: boolean | undefined;
  readonly relayed: boolean | undefined;
  readonly secure: boolean | undefined;
  /** `Session.location`: `lan` or `wan`. */
  readonly location: string | undefined;
  readonly product: string | undefined;
  readonly platform: string | undefined;
  /** `Player.machineIdentifier`: the device (python-plexapi plexapi/client.py PlexClient). */
  readonly device: string | undefined;
  readonly title: string | undefined;
}

/**
 * `GET /status/sessions`: what is playing now and from where. Recorded shape:
 * home-assistant/core tests/components/plex/fixtures/session_base.xml (a LAN `Video` whose
 * `Player` has `local="1"`, `remotePublicAddress`, and `Session location="lan"`).
 */
export async function readSessions(ctx: Pick<CheckContext, 'plex' | 'signal'>): Promise<PlexSession[]> {
  const c = parsePlex(
    SessionsSchema,
    await ctx.plex.get('/status/sessions', { signal: ctx.signal }),
    'GET /status/sessions',
  );
  const items = [...(c.Metadata ?? []), ...(c.Video ?? []), ...(c.Track ?? [])];
  return items.map((item) => {
    const user = isObject(item.User) ? item.User : {};
    const player = isObject(item.Player) ? item.Player : {};
    const session = isObject(item.Session) ? item.Session : {};
    return {
      sessionId: str(session.id),
      userId: num(user.id),
      userTitle: str(user.title),
      address: address(player.address),
      remotePublicAddress: address(player.remotePublicAddress),
      local: parseBool(player.local),
      relayed: parseBool(player.relayed),
      secure: parseBool(player.secure),
      location: str(session.location)?.toLowerCase(),
      product: str(player.product),
      platform: str(player.platform),
      device: str(player.machineIdentifier),
      title: str(item.grandparentTitle) ?? str(item.title),
    };
  });
}

/** readSessions once per scan: the checks that look at streams see the same answer. */
export function currentSessions(ctx: CheckContext): Promise<PlexSession[]> {
  return ctx.shared.once('plex:sessions', () => readSessions(ctx));
}

export interface PlexDevice {
  /** `clientIdentifier`, or `id:<n>` from the server's own device id on servers that omit it. */
  readonly key: string;
  readonly clientIdentifier: string | undefined;
  readonly name: string | undefined;
  readonly platform: string | undefined;
  /** Epoch seconds, as Plex sends it. */
  readonly createdAt: number | undefined;
}

/**
 * `GET /devices`: every client device the server knows. Real answers carry `id`, `name`,
 * `platform` (often empty), `clientIdentifier` and `createdAt`, and no `product`
 * (https://www.plexopedia.com/plex-media-server/api/server/devices/); older servers omit
 * `clientIdentifier`, so the server's `id` keys those. Entries with neither are skipped.
 */
export async function readDevices(ctx: CheckContext): Promise<PlexDevice[]> {
  const c = parsePlex(DevicesSchema, await ctx.plex.get('/devices', { signal: ctx.signal }), 'GET /devices');
  return (c.Device ?? []).flatMap((d) => {
    const clientIdentifier = str(d.clientIdentifier)?.trim() || undefined;
    const id = num(d.id);
    const key = clientIdentifier ?? (id !== undefined ? `id:${id}` : undefined);
    if (!key) return [];
    return [
      {
        key,
        clientIdentifier,
        name: str(d.name),
        platform: str(d.platform)?.trim() || undefined,
        createdAt: num(d.createdAt),
      },
    ];
  });
}

export interface PlexRelease {
  readonly version: string | undefined;
  readonly state: string | undefined;
}

export interface PlexUpdaterStatus {
  /**
   * The container's `canInstall`: whether this install can update itself (Docker and NAS
   * packages cannot). python-plexapi's `PlexServer.canInstallUpdate()` reads it
   * (pkkid/python-plexapi plexapi/server.py); `state="notify"` alone does not say it
   * (home-assistant/core tests/components/plex/fixtures/release_new_not_updatable.xml:
   * `canInstall="0"` with `state="notify"`). Undefined when the server does not send it.
   */
  readonly canInstall: boolean | undefined;
  /** Releases in state `skipped` or `done` are not pending updates. */
  readonly pending: readonly PlexRelease[];
}

/** Asks the server's updater to look for a release (without downloading), then reads its status. */
export async function readPendingUpdates(ctx: CheckContext): Promise<PlexUpdaterStatus> {
  await ctx.plex.put('/updater/check?download=0', { signal: ctx.signal });
  const c = parsePlex(
    UpdaterStatusSchema,
    await ctx.plex.get('/updater/status', { signal: ctx.signal }),
    'GET /updater/status',
  );
  return {
    canInstall: parseBool(c.canInstall),
    pending: (c.Release ?? [])
      .map((r) => ({ version: str(r.version), state: str(r.state) }))
      .filter((r) => r.state !== 'skipped' && r.state !== 'done'),
  };
}
