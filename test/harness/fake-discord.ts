import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { TEST_IDS } from './test-env.js';

export interface RecordedCall {
  readonly method: string;
  /** Path after /api/v10, URL-decoded (`@original`, emoji). */
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
  readonly at: number;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  author: { id: string; username: string; bot: boolean };
  reactions: string[];
  flags: number;
}

interface InteractionOptions {
  name: string;
  options?: unknown[];
  userId?: string;
  roles?: string[];
  guildId?: string | null;
  channelId?: string;
  type?: 2 | 4;
  bot?: boolean;
}

let counter = 0n;
/** Snowflake-shaped ids that increase, so ordering by id works like on Discord. */
export function snowflake(): string {
  counter += 1n;
  return ((BigInt(Date.now() - 1420070400000) << 22n) + counter).toString();
}

/**
 * A loopback Discord that the real discord.js client talks to, at the wire level: REST under
 * /api/v10 and the gateway over WebSocket on the same port. It records every REST call, keeps
 * messages, and can dispatch interactions and reactions like Discord does.
 */
export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** When set, REST answers 503 (the client retries, then gives up) and new gateway sessions are refused. */
  restDown = false;
  gatewayDown = false;
  /** Roles GET /guilds/{id}/members/{user} reports, for handlers that fetch members. */
  readonly memberRoles = new Map<string, string[]>();
  identifies = 0;
  readonly guild = { id: TEST_IDS.guild, name: 'Home', ownerId: TEST_IDS.otherUser };
  /** The guild's roles with their permission integers (GET /guilds/{id}, GUILD_CREATE). */
  readonly roles: { id: string; name: string; permissions: string }[] = [
    { id: TEST_IDS.guild, name: '@everyone', permissions: '0' },
    { id: TEST_IDS.approverRole, name: 'Plex admins', permissions: '0' },
  ];
  /** The alert channel's permission overwrites (GET /channels/{id}). */
  channelOverwrites: { id: string; type: 0 | 1; allow: string; deny: string }[] = [];
  /** Channels GET /channels/{id} answers 404 for (deleted, or the bot cannot see them). */
  readonly hiddenChannels = new Set<string>();
  /**
   * A partial outage: 'refuse' answers 503 to matching calls; 'lose' carries the call out (the
   * message is stored) but cuts the connection before the answer, like a timeout on the way back;
   * 'reject' answers 400 Invalid Form Body, as Discord does for a malformed message; 'forbid'
   * answers 403 Missing Permissions.
   */
  restFault:
    | ((method: string, path: string, body: unknown) => 'refuse' | 'lose' | 'reject' | 'forbid' | undefined)
    | undefined;
  /** Nonces seen per channel, for `enforce_nonce` (Discord returns the earlier message). */
  private readonly nonces = new Map<string, string>();
  /** When set, REST calls that carry an Authorization header with another token get 401. */
  acceptedToken: string | undefined;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<WebSocket>();
  private seq = 0;
  private readonly waiters: {
    match: (call: RecordedCall) => boolean;
    resolve: (call: RecordedCall) => void;
  }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws) => this.onGateway(ws));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeDiscord not started');
    return address.port;
  }

  /** The value for DISCORD_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async stop(): Promise<void> {
    for (const ws of this.sessions) ws.terminate();
    this.wss?.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Closes every gateway session like a network drop (the client reconnects and resumes). */
  dropGateway(code = 4000): void {
    for (const ws of this.sessions) ws.close(code, 'fake drop');
  }

  get connected(): boolean {
    return this.sessions.size > 0;
  }

  /** Resolves with the first recorded call (past or future) matching `match`. */
  waitFor(match: (call: RecordedCall) => boolean, timeoutMs = 5_000): Promise<RecordedCall> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) {
          this.waiters.splice(index, 1);
          reject(
            new Error(
              `FakeDiscord: no matching REST call within ${timeoutMs} ms; calls: ${this.calls.map((c) => `${c.method} ${c.path}`).join(', ')}`,
            ),
          );
        }
      }, timeoutMs);
    });
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pathPattern.test(c.path));
  }

  /** Messages posted to a channel by the bot, in order. */
  channelMessages(channelId: string = TEST_IDS.channel): StoredMessage[] {
    // Interaction replies are stored under two keys (webhook token and id): list each once.
    return [...new Set(this.messages.values())].filter((m) => m.channel_id === channelId);
  }

  /** Sends a chat-input command like Discord does; returns the interaction id and token. */
  interaction(opts: InteractionOptions): { id: string; token: string } {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${randomBytes(24).toString('hex')}`;
    const userId = opts.userId ?? TEST_IDS.approverUser;
    const guildId = opts.guildId === undefined ? this.guild.id : opts.guildId;
    const channelId = opts.channelId ?? TEST_IDS.channel;
    const user = {
      id: userId,
      username: `user${userId.slice(-4)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: opts.bot ?? false,
    };
    const d: Record<string, unknown> = {
      id,
      application_id: TEST_IDS.application,
      type: opts.type ?? 2,
      token,
      version: 1,
      channel_id: channelId,
      channel: { id: channelId, type: guildId ? 0 : 1, name: 'alerts', guild_id: guildId ?? undefined },
      data: {
        id: '900000000000000009',
        name: opts.name,
        type: 1,
        options: opts.options ?? [],
        guild_id: guildId ?? undefined,
      },
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': userId },
      context: guildId ? 0 : 1,
      attachment_size_limit: 8388608,
    };
    if (guildId) {
      d.guild_id = guildId;
      d.guild_locale = 'en-US';
      d.guild = { id: guildId, locale: 'en-US', features: [] };
      d.member = {
        user,
        roles: opts.roles ?? [],
        joined_at: '2025-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        permissions: '2248473465835073',
        nick: null,
        avatar: null,
      };
    } else {
      d.user = user;
    }
    this.dispatch('INTERACTION_CREATE', d);
    return { id, token };
  }

  /** A reaction on a message, as MESSAGE_REACTION_ADD (works for messages the client never cached). */
  react(opts: {
    messageId: string;
    emoji: string;
    userId: string;
    roles?: string[];
    channelId?: string;
    bot?: boolean;
  }): void {
    const user = {
      id: opts.userId,
      username: `user${opts.userId.slice(-4)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: opts.bot ?? false,
    };
    this.dispatch('MESSAGE_REACTION_ADD', {
      user_id: opts.userId,
      channel_id: opts.channelId ?? TEST_IDS.channel,
      message_id: opts.messageId,
      guild_id: this.guild.id,
      member: {
        user,
        roles: opts.roles ?? [],
        joined_at: '2025-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
      },
      emoji: { id: null, name: opts.emoji },
      type: 0,
      burst: false,
      burst_colors: [],
      message_author_id: TEST_IDS.bot,
    });
  }

  dispatch(t: string, d: unknown): void {
    for (const ws of this.sessions) this.send(ws, { op: 0, t, s: ++this.seq, d });
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  private onGateway(ws: WebSocket): void {
    if (this.gatewayDown) {
      ws.close(1013, 'down');
      return;
    }
    this.sessions.add(ws);
    ws.on('close', () => this.sessions.delete(ws));
    this.send(ws, { op: 10, d: { heartbeat_interval: 41_250 } });
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (payload.op === 1) this.send(ws, { op: 11 });
      if (payload.op === 2) this.identify(ws);
      if (payload.op === 6) this.send(ws, { op: 0, t: 'RESUMED', s: ++this.seq, d: {} });
    });
  }

  private identify(ws: WebSocket): void {
    this.identifies += 1;
    const bot = {
      id: TEST_IDS.bot,
      username: 'plex-warden',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
    };
    this.send(ws, {
      op: 0,
      t: 'READY',
      s: ++this.seq,
      d: {
        v: 10,
        user: bot,
        guilds: [{ id: this.guild.id, unavailable: true }],
        session_id: `session-${this.identifies}`,
        resume_gateway_url: `ws://127.0.0.1:${this.port}`,
        shard: [0, 1],
        application: { id: TEST_IDS.application, flags: 0 },
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        user_settings: {},
      },
    });
    const role = (id: string, name: string, position: number) => ({
      id,
      name,
      permissions: '0',
      position,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
    });
    this.send(ws, {
      op: 0,
      t: 'GUILD_CREATE',
      s: ++this.seq,
      d: {
        id: this.guild.id,
        name: this.guild.name,
        icon: null,
        owner_id: this.guild.ownerId,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        mfa_level: 0,
        premium_tier: 0,
        system_channel_flags: 0,
        preferred_locale: 'en-US',
        nsfw_level: 0,
        features: [],
        emojis: [],
        stickers: [],
        roles: this.roles.map((r, i) => ({ ...role(r.id, r.name, i), permissions: r.permissions })),
        channels: [
          {
            id: TEST_IDS.channel,
            type: 0,
            name: 'plex-alerts',
            position: 0,
            permission_overwrites: this.channelOverwrites,
            guild_id: this.guild.id,
          },
        ],
        threads: [],
        members: [
          { user: bot, roles: [], joined_at: '2025-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 },
        ],
        member_count: 3,
        presences: [],
        voice_states: [],
        stage_instances: [],
        guild_scheduled_events: [],
        soundboard_sounds: [],
        joined_at: '2025-01-01T00:00:00.000Z',
        large: false,
        unavailable: false,
        lazy: true,
      },
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    let lose = false;
    let body: unknown = raw;
    if ((req.headers['content-type'] ?? '').includes('application/json') && raw) body = JSON.parse(raw);
    else if ((req.headers['content-type'] ?? '').includes('multipart/form-data'))
      body = parseMultipartJson(raw);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    const json = (status: number, payload?: unknown) => {
      if (lose) {
        req.socket.destroy();
        return;
      }
      if (payload === undefined) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (path.startsWith('/gateway')) {
      json(200, {
        url: `ws://127.0.0.1:${this.port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
      return;
    }
    if (this.restDown) {
      json(503, { message: 'Service Unavailable', code: 0 });
      return;
    }
    if (
      this.acceptedToken !== undefined &&
      call.authorization !== undefined &&
      call.authorization !== `Bot ${this.acceptedToken}`
    ) {
      json(401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    const fault = this.restFault?.(call.method, path, body);
    if (fault === 'refuse') {
      json(503, { message: 'Service Unavailable', code: 0 });
      return;
    }
    if (fault === 'forbid') {
      json(403, { message: 'Missing Permissions', code: 50013 });
      return;
    }
    if (fault === 'reject') {
      json(400, { message: 'Invalid Form Body', code: 50035, errors: {} });
      return;
    }
    lose = fault === 'lose';
    this.record(call);
    const routes: [string, RegExp, (match: RegExpExecArray) => void][] = [
      [
        'PUT',
        /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
        (match) => {
          const commands = Array.isArray(body) ? body : [];
          json(
            200,
            commands.map((c) => ({
              ...(c as object),
              id: snowflake(),
              application_id: match[1],
              guild_id: match[2],
              version: snowflake(),
            })),
          );
        },
      ],
      [
        'POST',
        /^\/interactions\/(\d+)\/[^/]+\/callback$/,
        (match) => {
          if (url.searchParams.get('with_response') === 'true') {
            json(200, {
              interaction: { id: match[1], type: 2 },
              resource: { type: (body as { type?: number })?.type },
            });
          } else json(204);
        },
      ],
      [
        'PATCH',
        /^\/webhooks\/\d+\/([^/]+)\/messages\/(@original|\d+)$/,
        (match) => {
          json(200, this.storeMessage(`webhook:${match[1]}:${match[2]}`, TEST_IDS.channel, body));
        },
      ],
      [
        'POST',
        /^\/webhooks\/\d+\/([^/]+)$/,
        () => json(200, this.storeMessage(snowflake(), TEST_IDS.channel, body)),
      ],
      [
        'POST',
        /^\/channels\/(\d+)\/messages$/,
        (match) => {
          const channelId = match[1] ?? '';
          const { nonce, enforce_nonce: enforce } = (body ?? {}) as {
            nonce?: string;
            enforce_nonce?: boolean;
          };
          const earlier = enforce && nonce ? this.nonces.get(`${channelId}:${nonce}`) : undefined;
          const existing = earlier ? this.messages.get(earlier) : undefined;
          if (existing) {
            json(200, this.toApiMessage(existing));
            return;
          }
          const stored = this.storeMessage(snowflake(), channelId, body);
          if (enforce && nonce) this.nonces.set(`${channelId}:${nonce}`, String(stored.id));
          json(200, stored);
        },
      ],
      [
        'PATCH',
        /^\/channels\/(\d+)\/messages\/(\d+)$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) json(404, { message: 'Unknown Message', code: 10008 });
          else json(200, this.storeMessage(existing.id, existing.channel_id, body));
        },
      ],
      [
        'GET',
        /^\/channels\/(\d+)\/messages\/(\d+)$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) json(404, { message: 'Unknown Message', code: 10008 });
          else json(200, this.toApiMessage(existing));
        },
      ],
      [
        'PUT',
        /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/,
        (match) => {
          this.messages.get(match[2] ?? '')?.reactions.push(match[3] ?? '');
          json(204);
        },
      ],
      ['DELETE', /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/(\d+)$/, () => json(204)],
      [
        'GET',
        /^\/channels\/(\d+)$/,
        (match) => {
          if (this.hiddenChannels.has(match[1] ?? '')) {
            json(404, { message: 'Unknown Channel', code: 10003 });
            return;
          }
          json(200, {
            id: match[1],
            type: 0,
            name: 'plex-alerts',
            guild_id: this.guild.id,
            position: 0,
            permission_overwrites: this.channelOverwrites,
          });
        },
      ],
      [
        'GET',
        /^\/guilds\/(\d+)$/,
        (match) => {
          if (match[1] !== this.guild.id) json(403, { message: 'Missing Access', code: 50001 });
          else
            json(200, {
              id: this.guild.id,
              name: this.guild.name,
              owner_id: this.guild.ownerId,
              roles: this.roles.map((r, i) => ({
                ...r,
                position: i,
                color: 0,
                hoist: false,
                managed: false,
                mentionable: false,
              })),
            });
        },
      ],
      [
        'GET',
        /^\/guilds\/(\d+)\/members\/(\d+)$/,
        (match) => {
          const user = {
            id: match[2],
            username: `user${match[2]?.slice(-4)}`,
            discriminator: '0',
            avatar: null,
          };
          json(200, {
            user,
            roles: this.memberRoles.get(match[2] ?? '') ?? [],
            joined_at: '2025-01-01T00:00:00.000Z',
            deaf: false,
            mute: false,
            flags: 0,
          });
        },
      ],
      [
        'GET',
        /^\/users\/@me$/,
        () =>
          json(200, {
            id: TEST_IDS.bot,
            username: 'plex-warden',
            discriminator: '0',
            avatar: null,
            bot: true,
          }),
      ],
    ];
    for (const [method, pattern, handler] of routes) {
      const match = req.method === method ? pattern.exec(path) : null;
      if (match) {
        handler(match);
        return;
      }
    }
    json(404, { message: `FakeDiscord has no route for ${req.method} ${path}`, code: 0 });
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(call)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
    }
  }

  private storeMessage(id: string, channelId: string, body: unknown): Record<string, unknown> {
    const payload = (body ?? {}) as { content?: string; embeds?: unknown[]; flags?: number };
    const existing = this.messages.get(id);
    const message: StoredMessage = {
      id: existing?.id ?? (id.startsWith('webhook:') ? snowflake() : id),
      channel_id: channelId,
      content: payload.content ?? existing?.content ?? '',
      embeds: payload.embeds ?? existing?.embeds ?? [],
      author: { id: TEST_IDS.bot, username: 'plex-warden', bot: true },
      reactions: existing?.reactions ?? [],
      flags: payload.flags ?? existing?.flags ?? 0,
    };
    this.messages.set(id, message);
    if (id.startsWith('webhook:')) this.messages.set(message.id, message);
    return this.toApiMessage(message);
  }

  private toApiMessage(message: StoredMessage): Record<string, unknown> {
    return {
      id: message.id,
      channel_id: message.channel_id,
      guild_id: this.guild.id,
      content: message.content,
      embeds: message.embeds,
      author: { ...message.author, discriminator: '0', avatar: null },
      attachments: [],
      components: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
      flags: message.flags,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
    };
  }
}

/** discord.js sends JSON as a `payload_json` part when files are attached. */
function parseMultipartJson(raw: string): unknown {
  const match = /name="payload_json"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw);
  return match?.[1] ? JSON.parse(match[1]) : raw;
}
