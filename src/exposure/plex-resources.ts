import { isObject, PlexError, parseBool } from '../adapters/plex/plex-client.js';
import type { CheckContext } from '../checks/types.js';
import { normalizeIp } from '../net/ip.js';

type Json = Record<string, unknown>;

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
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

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
    const c = await ctx.plex.get('/myplex/account', { signal: ctx.signal });
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
  /** Where the stream goes: the remote public address when Plex knows it, else the player address. */
  readonly address: string | undefined;
  readonly local: boolean | undefined;
  readonly relayed: boolean | undefined;
  readonly secure: boolean | undefined;
  readonly location: string | undefined;
  readonly product: string | undefined;
  readonly platform: string | undefined;
  readonly title: string | undefined;
}

/** `GET /status/sessions`: what is playing now and from where. */
export async function readSessions(ctx: CheckContext): Promise<PlexSession[]> {
  const c = await ctx.plex.get('/status/sessions', { signal: ctx.signal });
  const items = [...list(c.Metadata), ...list(c.Video), ...list(c.Track)];
  return items.map((item) => {
    const user = isObject(item.User) ? item.User : {};
    const player = isObject(item.Player) ? item.Player : {};
    const session = isObject(item.Session) ? item.Session : {};
    return {
      sessionId: str(session.id),
      userId: num(user.id),
      userTitle: str(user.title),
      address: address(player.remotePublicAddress) ?? address(player.address),
      local: parseBool(player.local),
      relayed: parseBool(player.relayed),
      secure: parseBool(player.secure),
      location: str(session.location),
      product: str(player.product),
      platform: str(player.platform),
      title: str(item.grandparentTitle) ?? str(item.title),
    };
  });
}

export interface PlexDevice {
  readonly clientIdentifier: string;
  readonly name: string | undefined;
  readonly platform: string | undefined;
  readonly product: string | undefined;
  /** Epoch seconds, as Plex sends it. */
  readonly createdAt: number | undefined;
}

/** `GET /devices`: every client device the server knows. Entries without an identifier are skipped. */
export async function readDevices(ctx: CheckContext): Promise<PlexDevice[]> {
  const c = await ctx.plex.get('/devices', { signal: ctx.signal });
  if (c.Device !== undefined && !Array.isArray(c.Device))
    throw new PlexError('malformed', 'GET /devices answered a Device field that is not a list');
  return list(c.Device).flatMap((d) => {
    const clientIdentifier = str(d.clientIdentifier);
    if (!clientIdentifier) return [];
    return [
      {
        clientIdentifier,
        name: str(d.name),
        platform: str(d.platform),
        product: str(d.product),
        createdAt: num(d.createdAt),
      },
    ];
  });
}

export interface PlexRelease {
  readonly version: string | undefined;
  readonly state: string | undefined;
}

/**
 * Asks the server's updater to look for a release (without downloading), then reads its status.
 * Releases in state `skipped` or `done` are not pending updates.
 */
export async function readPendingUpdates(ctx: CheckContext): Promise<PlexRelease[]> {
  await ctx.plex.put('/updater/check?download=0', { signal: ctx.signal });
  const c = await ctx.plex.get('/updater/status', { signal: ctx.signal });
  return list(c.Release)
    .map((r) => ({ version: str(r.version), state: str(r.state) }))
    .filter((r) => r.state !== 'skipped' && r.state !== 'done');
}
