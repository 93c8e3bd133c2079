import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { validateMessageBody } from './discord-message-rules.js';
import { TEST_IDS } from './test-env.js';

export interface RecordedCall {
  readonly method: string;
  /** Path after /api/v10, URL-decoded (`@original`, emoji). */
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
  readonly at: number;
  /** The file parts of a multipart request (reference#uploading-files), in order. */
  readonly files?: readonly UploadedFile[];
}

/** One `files[n]` part as the fake received it. */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

/**
 * reference#uploading-files (https://discord.com/developers/docs/reference#uploading-files):
 * files go as `files[n]` parts of multipart/form-data with the JSON in `payload_json`; the
 * default limit per file is 10 MiB, and a message has at most 10 attachments. Over the size
 * Discord answers 413 "Request entity too large" (JSON error code 40005,
 * topics/opcodes-and-status-codes#json-json-error-codes).
 */
export const UPLOAD_LIMITS = { fileBytes: 10 * 1024 * 1024, files: 10 } as const;

export interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  author: { id: string; username: string; bot: boolean };
  /** Who reacted with what: emoji → user ids, in order (GET .../reactions/{emoji} lists them). */
  reactions: Map<string, string[]>;
  flags: number;
  nonce?: string;
  /** Files uploaded with the message (multipart), as Discord lists them under `attachments`. */
  attachments?: UploadedFile[];
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

interface InteractionState {
  readonly id: string;
  readonly token: string;
  readonly createdAt: number;
  /** 2 command, 3 component, 4 autocomplete. */
  readonly type: 2 | 3 | 4;
  readonly channelId: string;
  /** For a component: the message it sits on. */
  readonly sourceMessageId?: string;
  acknowledged: boolean;
  originalId?: string;
}

interface GatewaySession {
  readonly id: string;
  seq: number;
  ws: WebSocket | undefined;
  ready: boolean;
  /** Dispatches sent while no socket was attached, replayed on RESUME. */
  readonly missed: { s: number; t: string; d: unknown }[];
}

type Fault = 'refuse' | 'lose' | 'reject' | 'forbid' | 'rate-limit';

/** https://discord.com/developers/docs/topics/gateway#gateway-intents: privileged intents. */
const PRIVILEGED_INTENTS = { GuildMembers: 1 << 1, GuildPresences: 1 << 8, MessageContent: 1 << 15 } as const;
/** https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags */
export const PERMISSION = { ManageMessages: 1n << 13n } as const;

let counter = 0n;
/** Snowflake-shaped ids that increase, so ordering by id works like on Discord. */
export function snowflake(): string {
  counter += 1n;
  return ((BigInt(Date.now() - 1420070400000) << 22n) + counter).toString();
}

const userObject = (id: string, bot = false) => ({
  id,
  username: id === TEST_IDS.bot ? 'plex-warden' : `user${id.slice(-4)}`,
  discriminator: '0',
  global_name: null,
  avatar: null,
  bot,
});

/**
 * A loopback Discord that the real discord.js client talks to, at the wire level: REST under
 * /api/v10 and the gateway over WebSocket on the same port. It is at least as strict as Discord
 * where the bot could get it wrong; every rule names the documentation page it comes from. Tests
 * never loosen it: when the bot breaks a rule, the bot is fixed.
 */
export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** When set, REST answers 503 (the client retries, then gives up) and new gateway sessions are refused. */
  restDown = false;
  gatewayDown = false;
  /** Roles GET /guilds/{id}/members/{user} reports, for handlers that fetch members. */
  readonly memberRoles = new Map<string, string[]>();
  /** Users in the guild; anyone else is 10007 Unknown Member. Interacting or reacting adds a user. */
  readonly members = new Set<string>([TEST_IDS.bot, TEST_IDS.approverUser, TEST_IDS.otherUser]);
  identifies = 0;
  /** The intents of the last IDENTIFY. */
  lastIntents: number | undefined;
  /** Privileged intents enabled in the developer portal; others close the gateway with 4014. */
  enabledPrivilegedIntents = 0;
  /**
   * The login budget GET /gateway/bot reports (topics/gateway#session-start-limit-object): every
   * IDENTIFY spends one, RESUME none, and `remaining` goes back to `total` `reset_after` ms after
   * the first IDENTIFY of the window. Discord's 1,000 a day by default, which no test run spends;
   * setSessionStartLimit() sets it low for a test of what happens past it.
   */
  private readonly sessionBudget = { total: 1000, remaining: 1000, windowMs: 86_400_000, windowStart: 0 };
  /** True once an IDENTIFY past the budget made Discord reset the bot token. */
  tokenReset = false;
  /** The bot's permissions in the alert channel (Manage Messages to remove others' reactions). */
  botPermissions = PERMISSION.ManageMessages;
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
   * 'reject' answers 400 Invalid Form Body; 'forbid' answers 403 Missing Permissions;
   * 'rate-limit' answers 429 with `retry_after` once per matching call.
   */
  restFault: ((method: string, path: string, body: unknown) => Fault | undefined) | undefined;
  /**
   * Per-route buckets: pattern → requests per window. Discord does not publish per-route numbers
   * ("limits ... should not be hard coded", topics/rate-limits); these are the fake's. The reaction
   * routes get Discord's observed 1 per 250 ms so the client has to honour the headers.
   */
  readonly routeLimits: { pattern: RegExp; limit: number; windowMs: number }[] = [
    { pattern: /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/[^/]+$/, limit: 1, windowMs: 250 },
  ];
  /** topics/rate-limits#global-rate-limit: 50 requests per second per bot (interactions exempt). */
  globalLimitPerSecond = 50;
  /** 429s answered so far. */
  rateLimited = 0;
  /** The fake's clock for interaction deadlines; tests move it instead of sleeping. */
  now: () => number = Date.now;
  /** When set, REST calls that carry an Authorization header with another token get 401, and IDENTIFY 4004. */
  acceptedToken: string | undefined;
  /** Nonces seen per channel, for `enforce_nonce` (Discord returns the earlier message). */
  private readonly nonces = new Map<string, string>();
  private readonly interactions = new Map<string, InteractionState>();
  /** Message bodies answered 400 / 50035, so a test can say that none was. */
  readonly refused: { method: string; path: string; problem: unknown }[] = [];
  private readonly buckets = new Map<string, { count: number; resetAt: number }>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly gatewaySessions = new Map<string, GatewaySession>();
  private readonly sockets2session = new Map<WebSocket, GatewaySession | undefined>();
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
    for (const ws of this.sockets2session.keys()) ws.terminate();
    this.wss?.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Closes every gateway socket like a network drop; the sessions stay resumable. */
  dropGateway(code = 4000): void {
    for (const ws of this.sockets2session.keys()) ws.close(code, 'fake drop');
  }

  /** op 7 RECONNECT (topics/gateway#reconnect): the client should reconnect and resume. */
  requestReconnect(): void {
    for (const ws of this.sockets2session.keys()) this.send(ws, { op: 7, d: null });
  }

  /** op 9 INVALID_SESSION, not resumable (topics/gateway#invalid-session): the client identifies again. */
  invalidateSessions(): void {
    for (const [ws, session] of this.sockets2session) {
      if (session) this.gatewaySessions.delete(session.id);
      this.sockets2session.set(ws, undefined);
      this.send(ws, { op: 9, d: false });
    }
  }

  get connected(): boolean {
    return this.sockets2session.size > 0;
  }

  /** A session got READY or RESUMED: dispatches from now on reach the client's handlers. */
  get ready(): boolean {
    return [...this.gatewaySessions.values()].some((s) => s.ws !== undefined && s.ready);
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

  /** Messages in a channel (the bot's and interaction replies), in order. */
  channelMessages(channelId: string = TEST_IDS.channel): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  /** A message someone else wrote, for rules like 50005 (editing another author's message). */
  userMessage(
    content: string,
    userId: string = TEST_IDS.otherUser,
    channelId: string = TEST_IDS.channel,
  ): StoredMessage {
    const message: StoredMessage = {
      id: snowflake(),
      channel_id: channelId,
      content,
      embeds: [],
      components: [],
      author: { id: userId, username: `user${userId.slice(-4)}`, bot: false },
      reactions: new Map(),
      flags: 0,
    };
    this.messages.set(message.id, message);
    return message;
  }

  /** What GET /gateway/bot answers now (topics/gateway#session-start-limit-object). */
  get sessionStartLimit(): {
    total: number;
    remaining: number;
    reset_after: number;
    max_concurrency: number;
  } {
    const budget = this.refreshBudget();
    const resetAfter =
      budget.remaining === budget.total ? budget.windowMs : budget.windowStart + budget.windowMs - this.now();
    return { total: budget.total, remaining: budget.remaining, reset_after: resetAfter, max_concurrency: 1 };
  }

  /** A smaller login budget for a test; the window starts again. */
  setSessionStartLimit(total: number, resetAfterMs = 86_400_000): void {
    Object.assign(this.sessionBudget, { total, remaining: total, windowMs: resetAfterMs, windowStart: 0 });
  }

  private refreshBudget() {
    const budget = this.sessionBudget;
    if (budget.remaining < budget.total && this.now() - budget.windowStart >= budget.windowMs) {
      budget.remaining = budget.total;
    }
    return budget;
  }

  /** The interaction's original response as Discord holds it: only accepted edits change it. */
  originalResponse(interactionId: string): StoredMessage | undefined {
    const id = this.interactions.get(interactionId)?.originalId;
    return id ? this.messages.get(id) : undefined;
  }

  /** Sends a chat-input command (or autocomplete) like Discord does; returns the interaction id and token. */
  interaction(opts: InteractionOptions): { id: string; token: string } {
    return this.sendInteraction(opts.type ?? 2, opts, {
      id: '900000000000000009',
      name: opts.name,
      type: 1,
      options: opts.options ?? [],
      guild_id: (opts.guildId === undefined ? this.guild.id : opts.guildId) ?? undefined,
    });
  }

  /** A click on a button of a message (interactions/receiving-and-responding, MESSAGE_COMPONENT). */
  click(opts: { messageId: string; customId: string; userId: string; roles?: string[] }): {
    id: string;
    token: string;
  } {
    const message = this.messages.get(opts.messageId);
    if (!message) throw new Error(`FakeDiscord: no message ${opts.messageId} to click on`);
    const button = message.components
      .flatMap(
        (row) => (row as { components?: { custom_id?: string; disabled?: boolean }[] }).components ?? [],
      )
      .find((c) => c.custom_id === opts.customId);
    // Discord's client does not let anyone click a button that is not there or is disabled.
    if (!button || button.disabled) throw new Error(`FakeDiscord: no enabled button ${opts.customId}`);
    return this.sendInteraction(
      3,
      { name: '', userId: opts.userId, roles: opts.roles ?? [], channelId: message.channel_id },
      { custom_id: opts.customId, component_type: 2 },
      message,
    );
  }

  private sendInteraction(
    type: 2 | 3 | 4,
    opts: InteractionOptions,
    data: Record<string, unknown>,
    source?: StoredMessage,
  ): { id: string; token: string } {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${randomBytes(24).toString('hex')}`;
    const userId = opts.userId ?? TEST_IDS.approverUser;
    const guildId = opts.guildId === undefined ? this.guild.id : opts.guildId;
    const channelId = opts.channelId ?? TEST_IDS.channel;
    if (guildId) this.members.add(userId);
    const user = userObject(userId, opts.bot ?? false);
    this.interactions.set(id, {
      id,
      token,
      createdAt: this.now(),
      type,
      channelId,
      ...(source ? { sourceMessageId: source.id } : {}),
      acknowledged: false,
    });
    const d: Record<string, unknown> = {
      id,
      application_id: TEST_IDS.application,
      type,
      token,
      version: 1,
      channel_id: channelId,
      channel: { id: channelId, type: guildId ? 0 : 1, name: 'alerts', guild_id: guildId ?? undefined },
      data,
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': userId },
      context: guildId ? 0 : 1,
      attachment_size_limit: 8388608,
    };
    if (source) d.message = this.toApiMessage(source);
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

  /**
   * A reaction on a message: stored per user (GET .../reactions/{emoji} lists it) and sent as
   * MESSAGE_REACTION_ADD to every ready session (works for messages the client never cached).
   * `silently` stores it without an event, like a reaction given while the bot had no session.
   */
  react(opts: {
    messageId: string;
    emoji: string;
    userId: string;
    roles?: string[];
    channelId?: string;
    bot?: boolean;
    silently?: boolean;
  }): void {
    const message = this.messages.get(opts.messageId);
    if (message) {
      const users = message.reactions.get(opts.emoji) ?? [];
      if (!users.includes(opts.userId)) users.push(opts.userId);
      message.reactions.set(opts.emoji, users);
    }
    this.members.add(opts.userId);
    if (opts.roles) this.memberRoles.set(opts.userId, opts.roles);
    if (opts.silently) return;
    this.dispatch('MESSAGE_REACTION_ADD', {
      user_id: opts.userId,
      channel_id: opts.channelId ?? TEST_IDS.channel,
      message_id: opts.messageId,
      guild_id: this.guild.id,
      member: {
        user: userObject(opts.userId, opts.bot ?? false),
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

  /** Users who reacted with `emoji` on a message. */
  reactors(messageId: string, emoji: string): string[] {
    return [...(this.messages.get(messageId)?.reactions.get(emoji) ?? [])];
  }

  /**
   * A dispatch to every session: sent to those with a socket, kept for those without one (a
   * RESUME replays it, topics/gateway#resuming); a new session never sees it.
   */
  dispatch(t: string, d: unknown): void {
    for (const session of this.gatewaySessions.values()) {
      session.seq += 1;
      const payload = { op: 0, t, s: session.seq, d };
      if (session.ws && session.ready) this.send(session.ws, payload);
      else session.missed.push({ s: session.seq, t, d });
    }
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  private onGateway(ws: WebSocket): void {
    if (this.gatewayDown) {
      ws.close(1013, 'down');
      return;
    }
    this.sockets2session.set(ws, undefined);
    ws.on('close', (code) => {
      const session = this.sockets2session.get(ws);
      this.sockets2session.delete(ws);
      if (!session) return;
      session.ws = undefined;
      session.ready = false;
      // topics/gateway#closing-a-connection: closing with 1000 or 1001 invalidates the session.
      if (code === 1000 || code === 1001) this.gatewaySessions.delete(session.id);
    });
    this.send(ws, { op: 10, d: { heartbeat_interval: 41_250 } });
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (payload.op === 1) this.send(ws, { op: 11 });
      if (payload.op === 2) this.identify(ws, payload.d as { token?: string; intents?: number });
      if (payload.op === 6)
        this.resume(ws, payload.d as { session_id?: string; seq?: number; token?: string });
    });
  }

  /** topics/gateway#resuming: replay what the session missed after `seq`, then RESUMED; an unknown session gets op 9. */
  private resume(ws: WebSocket, d: { session_id?: string; seq?: number }): void {
    const session = d.session_id ? this.gatewaySessions.get(d.session_id) : undefined;
    if (!session || session.ws !== undefined) {
      this.send(ws, { op: 9, d: false });
      return;
    }
    session.ws = ws;
    this.sockets2session.set(ws, session);
    for (const missed of session.missed.splice(0)) {
      if (missed.s > (d.seq ?? 0)) this.send(ws, { op: 0, t: missed.t, s: missed.s, d: missed.d });
    }
    session.seq += 1;
    this.send(ws, { op: 0, t: 'RESUMED', s: session.seq, d: {} });
    session.ready = true;
  }

  private identify(ws: WebSocket, d: { token?: string; intents?: number }): void {
    // topics/opcodes-and-status-codes#gateway-gateway-close-event-codes: 4004 authentication failed.
    if (this.acceptedToken !== undefined && d.token !== this.acceptedToken) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const intents = d.intents ?? 0;
    this.lastIntents = intents;
    const privileged = Object.values(PRIVILEGED_INTENTS).reduce((a, b) => a | b, 0);
    // 4014 Disallowed intent(s): a privileged intent not enabled for the application.
    if ((intents & privileged & ~this.enabledPrivilegedIntents) !== 0) {
      ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    // topics/gateway#identifying: "Upon hitting this limit, all active sessions for the app will
    // be terminated, the bot token will be reset". The sessions are closed and the old token
    // fails from then on: 4004 on the gateway, 401 on REST, until the owner sets a new one.
    const budget = this.refreshBudget();
    if (budget.remaining === 0) {
      this.tokenReset = true;
      this.acceptedToken = `reset-${randomBytes(8).toString('hex')}`;
      for (const open of [ws, ...this.sockets2session.keys()]) open.close(4004, 'Authentication failed.');
      return;
    }
    if (budget.remaining === budget.total) budget.windowStart = this.now();
    budget.remaining -= 1;
    this.identifies += 1;
    const session: GatewaySession = {
      id: `session-${this.identifies}-${randomBytes(4).toString('hex')}`,
      seq: 0,
      ws,
      ready: true,
      missed: [],
    };
    this.gatewaySessions.set(session.id, session);
    this.sockets2session.set(ws, session);
    const bot = userObject(TEST_IDS.bot, true);
    const sendDispatch = (t: string, data: unknown) => {
      session.seq += 1;
      this.send(ws, { op: 0, t, s: session.seq, d: data });
    };
    sendDispatch('READY', {
      v: 10,
      user: bot,
      guilds: [{ id: this.guild.id, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${this.port}`,
      shard: [0, 1],
      application: { id: TEST_IDS.application, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      user_settings: {},
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
    sendDispatch('GUILD_CREATE', {
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
    });
  }

  /**
   * topics/rate-limits: every answer carries X-RateLimit-* headers for its bucket; past the limit
   * Discord answers 429 with `retry_after` in seconds. Interaction responses are exempt from the
   * global limit (topics/rate-limits#global-rate-limit).
   */
  private rateLimit(method: string, path: string): { headers: Record<string, string>; retryAfter?: number } {
    const now = Date.now();
    const route = this.routeLimits.find((r) => r.pattern.test(path));
    const interaction = /^\/(interactions|webhooks)\//.test(path);
    const limit = route?.limit ?? this.globalLimitPerSecond;
    const windowMs = route?.windowMs ?? 1_000;
    // Buckets are per route and top-level resource (channel), as on Discord.
    const key = route ? `${route.pattern.source}:${/\/channels\/(\d+)/.exec(path)?.[1] ?? ''}` : 'global';
    if (interaction && !route) return { headers: {} };
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { count: 0, resetAt: now + windowMs };
      this.buckets.set(key, bucket);
    }
    bucket.count += 1;
    const remaining = Math.max(0, limit - bucket.count);
    const resetAfter = (bucket.resetAt - now) / 1_000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(bucket.resetAt / 1_000),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': Buffer.from(`${method}:${key}`).toString('hex').slice(0, 16),
    };
    if (bucket.count > limit) return { headers, retryAfter: resetAfter };
    return { headers };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    let lose = false;
    let body: unknown = raw;
    let files: UploadedFile[] | undefined;
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.includes('application/json') && raw) body = JSON.parse(raw);
    else if (contentType.includes('multipart/form-data')) {
      const form = await parseMultipart(bytes, contentType);
      body = form.body;
      files = form.files;
    }
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
      ...(files ? { files } : {}),
    };
    let headers: Record<string, string> = {};
    const json = (status: number, payload?: unknown) => {
      if (lose) {
        req.socket.destroy();
        return;
      }
      if (payload === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (path.startsWith('/gateway')) {
      json(200, {
        url: `ws://127.0.0.1:${this.port}`,
        shards: 1,
        session_start_limit: this.sessionStartLimit,
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
    const limited = this.rateLimit(call.method, path);
    headers = limited.headers;
    if (limited.retryAfter !== undefined || fault === 'rate-limit') {
      this.rateLimited += 1;
      const retryAfter = limited.retryAfter ?? 0.05;
      headers = { ...headers, 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': 'user' };
      json(429, { message: 'You are being rate limited.', retry_after: retryAfter, global: false });
      return;
    }
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
    /** resources/message#create-message and #edit-message: the body must pass Discord's validation. */
    const invalid = (payload: unknown): boolean => {
      if (files?.some((f) => f.data.length > UPLOAD_LIMITS.fileBytes)) {
        json(413, { message: 'Request entity too large', code: 40005 });
        return true;
      }
      if (files && files.length > UPLOAD_LIMITS.files) {
        json(400, {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            files: {
              _errors: [
                {
                  code: 'BASE_TYPE_MAX_LENGTH',
                  message: `Must be ${UPLOAD_LIMITS.files} or fewer in length.`,
                },
              ],
            },
          },
        });
        return true;
      }
      const problem = validateMessageBody(payload);
      if (problem) {
        this.refused.push({ method: call.method, path, problem });
        json(400, problem);
      }
      return problem !== undefined;
    };
    const unknownMessage = () => json(404, { message: 'Unknown Message', code: 10008 });
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
        /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
        (match) => this.callback(match, url, body, json),
      ],
      [
        'PATCH',
        /^\/webhooks\/\d+\/([^/]+)\/messages\/(@original|\d+)$/,
        (match) => {
          const state = this.webhookState(match[1] ?? '', json);
          if (!state) return;
          // interactions/receiving-and-responding#edit-original-interaction-response: there is no
          // original message before the initial response.
          const id = match[2] === '@original' ? state.originalId : match[2];
          const existing = id ? this.messages.get(id) : undefined;
          if (!existing) return unknownMessage();
          if (invalid(body)) return;
          json(200, this.storeMessage(existing.id, existing.channel_id, body, files));
        },
      ],
      [
        'POST',
        /^\/webhooks\/\d+\/([^/]+)$/,
        (match) => {
          const state = this.webhookState(match[1] ?? '', json);
          if (!state || invalid(body)) return;
          json(200, this.storeMessage(snowflake(), state.channelId, body, files));
        },
      ],
      [
        'POST',
        /^\/channels\/(\d+)\/messages$/,
        (match) => {
          const channelId = match[1] ?? '';
          if (invalid(body)) return;
          const { nonce, enforce_nonce: enforce } = (body ?? {}) as {
            nonce?: string;
            enforce_nonce?: boolean;
          };
          // resources/message#create-message: with enforce_nonce, a nonce used within the last few
          // minutes returns the earlier message instead of posting a new one.
          const earlier = enforce && nonce ? this.nonces.get(`${channelId}:${nonce}`) : undefined;
          const existing = earlier ? this.messages.get(earlier) : undefined;
          if (existing) {
            json(200, this.toApiMessage(existing));
            return;
          }
          const stored = this.storeMessage(snowflake(), channelId, body, files);
          if (enforce && nonce) this.nonces.set(`${channelId}:${nonce}`, String(stored.id));
          json(200, stored);
        },
      ],
      [
        'PATCH',
        /^\/channels\/(\d+)\/messages\/(\d+)$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) return unknownMessage();
          // resources/message#edit-message: only the author may edit content; opcodes-and-status-codes 50005.
          if (existing.author.id !== TEST_IDS.bot) {
            json(403, { message: 'Cannot edit a message authored by another user', code: 50005 });
            return;
          }
          if (invalid(body)) return;
          json(200, this.storeMessage(existing.id, existing.channel_id, body, files));
        },
      ],
      [
        'GET',
        /^\/channels\/(\d+)\/messages\/(\d+)$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) unknownMessage();
          else json(200, this.toApiMessage(existing));
        },
      ],
      [
        'GET',
        /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)$/,
        (match) => {
          // resources/message#get-reactions: users who reacted, by user id, `after` and `limit` (≤ 100).
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) return unknownMessage();
          const after = url.searchParams.get('after') ?? '0';
          const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 25));
          const users = [...(existing.reactions.get(match[3] ?? '') ?? [])]
            .filter((id) => BigInt(id) > BigInt(after))
            .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
            .slice(0, limit);
          json(
            200,
            users.map((id) => userObject(id, id === TEST_IDS.bot)),
          );
        },
      ],
      [
        'PUT',
        /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) return unknownMessage();
          const users = existing.reactions.get(match[3] ?? '') ?? [];
          if (!users.includes(TEST_IDS.bot)) users.push(TEST_IDS.bot);
          existing.reactions.set(match[3] ?? '', users);
          json(204);
        },
      ],
      [
        'DELETE',
        /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/(@me|\d+)$/,
        (match) => {
          const existing = this.messages.get(match[2] ?? '');
          if (!existing) return unknownMessage();
          const userId = match[4] === '@me' ? TEST_IDS.bot : (match[4] ?? '');
          // resources/message#delete-user-reaction: needs MANAGE_MESSAGES; opcodes-and-status-codes 50013.
          if (userId !== TEST_IDS.bot && (this.botPermissions & PERMISSION.ManageMessages) === 0n) {
            json(403, { message: 'Missing Permissions', code: 50013 });
            return;
          }
          const users = existing.reactions.get(match[3] ?? '') ?? [];
          existing.reactions.set(
            match[3] ?? '',
            users.filter((u) => u !== userId),
          );
          json(204);
        },
      ],
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
          const id = match[2] ?? '';
          // resources/guild#get-guild-member; opcodes-and-status-codes 10007 Unknown Member.
          if (!this.members.has(id)) {
            json(404, { message: 'Unknown Member', code: 10007 });
            return;
          }
          json(200, {
            user: userObject(id, id === TEST_IDS.bot),
            roles: this.memberRoles.get(id) ?? [],
            joined_at: '2025-01-01T00:00:00.000Z',
            deaf: false,
            mute: false,
            flags: 0,
          });
        },
      ],
      [
        'GET',
        /^\/users\/(@me|\d+)$/,
        (match) => {
          const id = match[1] === '@me' ? TEST_IDS.bot : (match[1] ?? '');
          // resources/user#get-user; opcodes-and-status-codes 10013 Unknown User.
          if (!this.members.has(id)) json(404, { message: 'Unknown User', code: 10013 });
          else json(200, userObject(id, id === TEST_IDS.bot));
        },
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

  /**
   * interactions/receiving-and-responding#responding-to-an-interaction: one initial response,
   * within 3 seconds of the event (else 10062 Unknown interaction); a second one is 40060
   * "Interaction has already been acknowledged".
   */
  private callback(
    match: RegExpExecArray,
    url: URL,
    body: unknown,
    json: (status: number, payload?: unknown) => void,
  ): void {
    const state = this.interactions.get(match[1] ?? '');
    if (!state || state.token !== match[2] || (!state.acknowledged && this.now() - state.createdAt > 3_000)) {
      json(404, { message: 'Unknown interaction', code: 10062 });
      return;
    }
    if (state.acknowledged) {
      json(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
      return;
    }
    const response = (body ?? {}) as { type?: number; data?: Record<string, unknown> };
    const data = response.data ?? {};
    if (response.type === 4 || response.type === 7) {
      const problem = validateMessageBody(data);
      if (problem) {
        json(400, problem);
        return;
      }
    }
    // interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
    const allowed: Record<number, number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9], 4: [8] };
    if (!allowed[state.type]?.includes(response.type ?? 0)) {
      json(400, {
        message: 'Invalid Form Body',
        code: 50035,
        errors: {
          type: {
            _errors: [
              { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the allowed callback types.' },
            ],
          },
        },
      });
      return;
    }
    state.acknowledged = true;
    let message: Record<string, unknown> | undefined;
    if (response.type === 4 || response.type === 5) {
      message = this.storeMessage(
        snowflake(),
        state.channelId,
        response.type === 4 ? data : { flags: data.flags },
      );
      state.originalId = String(message.id);
    } else if ((response.type === 6 || response.type === 7) && state.sourceMessageId) {
      state.originalId = state.sourceMessageId;
      const source = this.messages.get(state.sourceMessageId);
      if (source) message = this.storeMessage(source.id, source.channel_id, response.type === 7 ? data : {});
    }
    if (url.searchParams.get('with_response') === 'true') {
      json(200, {
        interaction: { id: state.id, type: state.type },
        resource: { type: response.type, ...(message ? { message } : {}) },
      });
    } else json(204);
  }

  /** Interaction tokens are valid for 15 minutes (interactions/receiving-and-responding); then 50027. */
  private webhookState(
    token: string,
    json: (status: number, payload?: unknown) => void,
  ): InteractionState | undefined {
    const state = [...this.interactions.values()].find((s) => s.token === token);
    if (!state || this.now() - state.createdAt > 15 * 60_000) {
      json(401, { message: 'Invalid Webhook Token', code: 50027 });
      return undefined;
    }
    return state;
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

  private storeMessage(
    id: string,
    channelId: string,
    body: unknown,
    files?: UploadedFile[],
  ): Record<string, unknown> {
    const payload = (body ?? {}) as {
      content?: string;
      embeds?: unknown[];
      components?: unknown[];
      flags?: number;
      nonce?: string;
    };
    const existing = this.messages.get(id);
    const message: StoredMessage = {
      id,
      channel_id: channelId,
      content: payload.content ?? existing?.content ?? '',
      embeds: payload.embeds ?? existing?.embeds ?? [],
      components: payload.components ?? existing?.components ?? [],
      author: existing?.author ?? { id: TEST_IDS.bot, username: 'plex-warden', bot: true },
      reactions: existing?.reactions ?? new Map(),
      flags: payload.flags ?? existing?.flags ?? 0,
      ...(payload.nonce ? { nonce: payload.nonce } : existing?.nonce ? { nonce: existing.nonce } : {}),
      ...(files
        ? { attachments: files }
        : existing?.attachments
          ? { attachments: existing.attachments }
          : {}),
    };
    this.messages.set(id, message);
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
      attachments: (message.attachments ?? []).map((f, i) => ({
        id: `${message.id}${i}`,
        filename: f.filename,
        size: f.data.length,
        content_type: f.contentType,
        url: `https://cdn.discordapp.invalid/attachments/${message.channel_id}/${message.id}/${f.filename}`,
      })),
      components: message.components,
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
      flags: message.flags,
      reactions: [...message.reactions].map(([name, users]) => ({
        emoji: { id: null, name },
        count: users.length,
        me: users.includes(TEST_IDS.bot),
      })),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...(message.nonce ? { nonce: message.nonce } : {}),
    };
  }
}

/**
 * discord.js sends JSON as a `payload_json` part and each file as `files[n]` when files are
 * attached. Parsed with the platform's own multipart reader (undici's Request.formData), binary
 * safe; a form that does not parse is kept as raw text so the call still records what came.
 */
async function parseMultipart(
  bytes: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  const form = await new Request('http://fake/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: bytes,
  }).formData();
  let body: unknown = bytes.toString('utf8');
  const files: UploadedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = JSON.parse(value);
    } else {
      files.push({
        field,
        filename: value.name,
        contentType: value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return { body, files };
}
