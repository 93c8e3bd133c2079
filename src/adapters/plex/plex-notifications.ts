// Before undici: it reads globalThis.Headers as it loads (see the module).
import '../../kernel/web-globals.js';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Agent, buildConnector, ping, WebSocket } from 'undici';
import * as v from 'valibot';
import { plexDirectLookup } from './plex-direct.js';

/**
 * Plex Media Server's notification websocket, `/:/websockets/notifications`. Messages are JSON
 * `{"NotificationContainer": {"type": ..., ...}}` (python-plexapi plexapi/alert.py,
 * Tautulli plexpy/web_socket.py). `playing` carries `PlaySessionStateNotification[]`
 * (Tautulli web_socket.py), `reachability` carries `ReachabilityNotification[{reachability}]`
 * (scttcper/plex src/alert.types.ts). The token goes in the `X-Plex-Token` header, as Tautulli
 * sends it, never in the URL (a URL ends up in logs).
 *
 * undici's WebSocket (undici 7, already a dependency, Node >= 20.18.1) takes headers and a
 * dispatcher, so no websocket package is added for the bot. Keep-alive: undici's `ping(ws)`
 * sends a ping frame, and pongs are published on the `undici:websocket:pong` diagnostics channel
 * (undici docs/docs/api/WebSocket.md "ping(websocket, payload)", DiagnosticsChannel.md); RFC 6455
 * §5.5.2 obliges the server to answer every ping with a pong, and Tautulli pings Plex the same
 * way (plexpy/web_socket.py send_ping / receive_pong).
 */
export type PlexNotification =
  | { readonly type: 'playing'; readonly sessionKeys: readonly string[]; readonly states: readonly string[] }
  | { readonly type: 'reachability'; readonly reachable: boolean | undefined }
  | { readonly type: 'other'; readonly name: string };

const scalar = v.optional(v.union([v.string(), v.number(), v.boolean()]));
const NotificationSchema = v.object({
  NotificationContainer: v.looseObject({
    type: v.string(),
    PlaySessionStateNotification: v.optional(
      v.array(v.looseObject({ sessionKey: scalar, state: scalar, key: scalar })),
    ),
    ReachabilityNotification: v.optional(v.array(v.looseObject({ reachability: scalar }))),
  }),
});

/** One message as the bot understands it; undefined for anything that is not a notification. */
export function parsePlexNotification(text: string): PlexNotification | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(NotificationSchema, json);
  if (!parsed.success) return undefined;
  const c = parsed.output.NotificationContainer;
  if (c.type === 'playing') {
    const items = c.PlaySessionStateNotification ?? [];
    return {
      type: 'playing',
      sessionKeys: items.map((i) => String(i.sessionKey ?? '')).filter(Boolean),
      states: items.map((i) => String(i.state ?? '')),
    };
  }
  if (c.type === 'reachability') {
    const value = c.ReachabilityNotification?.[0]?.reachability;
    const reachable =
      value === true || value === 1 || value === '1' || value === 'true'
        ? true
        : value === false || value === 0 || value === '0' || value === 'false'
          ? false
          : undefined;
    return { type: 'reachability', reachable };
  }
  return { type: 'other', name: c.type.slice(0, 40) };
}

export interface NotificationSocketOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly clientIdentifier: string;
  readonly ca?: string;
  /** A handshake not done by then counts as a failed attempt (a hung Plex never closes it). */
  readonly openTimeoutMs?: number;
  readonly onOpen: () => void;
  readonly onNotification: (notification: PlexNotification) => void;
  /** Any sign of life from the server: a message (notification or not) or a pong. */
  readonly onAlive?: () => void;
  /** Called once per socket, whether it opened or not. */
  readonly onClose: (reason: string) => void;
}

export interface NotificationSocket {
  /** Closes with a close frame (stop). */
  close(): void;
  /** Sends a ping frame; the pong arrives as onAlive. Nothing while not open. */
  ping(): void;
  /**
   * Drops the TCP connection without a closing handshake, for a server that stopped answering:
   * a close frame would wait for its answer forever (undici has no close timeout).
   */
  terminate(reason: string): void;
}

/** Opens one socket; the caller reconnects (with backoff) after onClose. */
export function openNotificationSocket(options: NotificationSocketOptions): NotificationSocket {
  const url = new URL('/:/websockets/notifications', `${options.baseUrl}/`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const connect = buildConnector({ lookup: plexDirectLookup, ...(options.ca ? { ca: options.ca } : {}) });
  // The socket the upgrade runs on, kept so a silent server can be dropped (terminate).
  let transport: Socket | undefined;
  const dispatcher = new Agent({
    connect: (opts, callback) =>
      connect(opts, (...args) => {
        if (args[1]) transport = args[1];
        callback(...args);
      }),
  });
  const socket = new WebSocket(url, {
    headers: {
      'X-Plex-Token': options.token,
      'X-Plex-Client-Identifier': options.clientIdentifier,
      'X-Plex-Product': 'plex-warden',
    },
    dispatcher,
  });
  let closed = false;
  const onPong = (message: unknown) => {
    if ((message as { websocket?: unknown } | null)?.websocket === socket) options.onAlive?.();
  };
  subscribe('undici:websocket:pong', onPong);
  const handshake = setTimeout(() => {
    try {
      socket.close();
    } catch {
      // Still connecting: close() may throw; finish() below reports the attempt anyway.
    }
    finish('no handshake');
  }, options.openTimeoutMs ?? 10_000);
  handshake.unref?.();
  const finish = (reason: string) => {
    clearTimeout(handshake);
    if (closed) return;
    closed = true;
    unsubscribe('undici:websocket:pong', onPong);
    void dispatcher.close().catch(() => undefined);
    options.onClose(reason);
  };
  socket.addEventListener('open', () => {
    clearTimeout(handshake);
    options.onOpen();
  });
  socket.addEventListener('message', (event) => {
    options.onAlive?.();
    if (typeof event.data !== 'string') return;
    const notification = parsePlexNotification(event.data);
    if (notification) options.onNotification(notification);
  });
  socket.addEventListener('error', () => finish('error'));
  socket.addEventListener('close', (event) => finish(`closed (${event.code})`));
  return {
    close() {
      try {
        socket.close();
      } catch {
        // Not open yet or already closing.
      }
      finish('stopped');
    },
    ping() {
      if (socket.readyState === WebSocket.OPEN) ping(socket);
    },
    terminate(reason) {
      transport?.destroy();
      finish(reason);
    },
  };
}
