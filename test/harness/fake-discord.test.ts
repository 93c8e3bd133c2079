import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeDiscord, PERMISSION, UPLOAD_LIMITS } from './fake-discord.js';
import { TEST_DISCORD_TOKEN, TEST_IDS } from './test-env.js';

/** The fake is a test double only if it refuses what Discord refuses: these pin its rules. */
describe('FakeDiscord is as strict as Discord', () => {
  let discord: FakeDiscord;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${discord.apiUrl}/v10${path}`, {
      method,
      headers: { authorization: `Bot ${TEST_DISCORD_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const post = (body: unknown) => api('POST', `/channels/${TEST_IDS.channel}/messages`, body);

  beforeEach(async () => {
    discord = new FakeDiscord();
    await discord.start();
  });
  afterEach(async () => {
    await discord.stop();
  });

  describe('message limits (resources/message#embed-object-embed-limits)', () => {
    it('accepts exactly 6,000 characters across embeds and refuses 6,001, counting the author line', async () => {
      const embeds = (extra: number) => [
        { title: 'a'.repeat(256), description: 'b'.repeat(4_096) },
        {
          description: 'c'.repeat(1_000),
          footer: { text: 'd'.repeat(600) },
          author: { name: 'e'.repeat(48 + extra) },
        },
      ];
      expect((await post({ embeds: embeds(0) })).status).toBe(200);
      const refused = await post({ embeds: embeds(1) });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        message: 'Invalid Form Body',
        code: 50035,
        errors: {
          embeds: {
            _errors: [
              { code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' },
            ],
          },
        },
      });
      expect(discord.channelMessages()).toHaveLength(1);
    });

    it.each([
      ['content over 2,000', { content: 'x'.repeat(2_001) }, ['content']],
      ['11 embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }, ['embeds']],
      ['title over 256', { embeds: [{ title: 'x'.repeat(257) }] }, ['embeds', '0', 'title']],
      [
        'description over 4,096',
        { embeds: [{ description: 'x'.repeat(4_097) }] },
        ['embeds', '0', 'description'],
      ],
      [
        '26 fields',
        { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] },
        ['embeds', '0', 'fields'],
      ],
      [
        'field name over 256',
        { embeds: [{ fields: [{ name: 'x'.repeat(257), value: 'v' }] }] },
        ['embeds', '0', 'fields', '0', 'name'],
      ],
      [
        'field value over 1,024',
        { embeds: [{ fields: [{ name: 'n', value: 'x'.repeat(1_025) }] }] },
        ['embeds', '0', 'fields', '0', 'value'],
      ],
      [
        'an empty field value',
        { embeds: [{ fields: [{ name: 'n', value: '' }] }] },
        ['embeds', '0', 'fields', '0', 'value'],
      ],
      [
        'footer over 2,048',
        { embeds: [{ footer: { text: 'x'.repeat(2_049) } }] },
        ['embeds', '0', 'footer', 'text'],
      ],
      [
        'author over 256',
        { embeds: [{ author: { name: 'x'.repeat(257) } }] },
        ['embeds', '0', 'author', 'name'],
      ],
      ['a nonce over 25', { content: 'x', nonce: 'n'.repeat(26) }, ['nonce']],
    ])('refuses %s with 50035 naming the path', async (_name, body, path) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { code: number; errors: Record<string, unknown> };
      expect(answer.code).toBe(50035);
      let node: unknown = answer.errors;
      for (const key of path) node = (node as Record<string, unknown>)[key];
      expect((node as { _errors: unknown[] })._errors.length).toBeGreaterThan(0);
    });
  });

  describe('interaction lifecycle (interactions/receiving-and-responding)', () => {
    const callback = (id: string, token: string, type = 5) =>
      api('POST', `/interactions/${id}/${token}/callback`, { type, data: {} });

    it('refuses an initial response after 3 seconds with 10062', async () => {
      const { id, token } = discord.interaction({ name: 'status' });
      const started = Date.now();
      discord.now = () => started + 3_001;
      const late = await callback(id, token);
      expect(late.status).toBe(404);
      expect(await late.json()).toEqual({ message: 'Unknown interaction', code: 10062 });
    });

    it('refuses a second acknowledgement with 40060', async () => {
      const { id, token } = discord.interaction({ name: 'status' });
      expect((await callback(id, token)).status).toBe(204);
      const second = await callback(id, token, 4);
      expect(second.status).toBe(400);
      expect(((await second.json()) as { code: number }).code).toBe(40060);
    });

    it('has no @original before the initial response, and no token after 15 minutes', async () => {
      const { id, token } = discord.interaction({ name: 'status' });
      const early = await api('PATCH', `/webhooks/${TEST_IDS.application}/${token}/messages/@original`, {
        content: 'x',
      });
      expect(early.status).toBe(404);
      expect(((await early.json()) as { code: number }).code).toBe(10008);
      await callback(id, token);
      expect(
        (
          await api('PATCH', `/webhooks/${TEST_IDS.application}/${token}/messages/@original`, {
            content: 'ok',
          })
        ).status,
      ).toBe(200);
      const started = Date.now();
      discord.now = () => started + 15 * 60_000 + 1;
      const expired = await api('POST', `/webhooks/${TEST_IDS.application}/${token}`, { content: 'late' });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { code: number }).code).toBe(50027);
    });

    it('validates a reply like a message', async () => {
      const { id, token } = discord.interaction({ name: 'status' });
      const reply = await api('POST', `/interactions/${id}/${token}/callback`, {
        type: 4,
        data: { content: 'x'.repeat(2_001) },
      });
      expect(reply.status).toBe(400);
      // A refused response is not an acknowledgement.
      expect((await callback(id, token)).status).toBe(204);
    });
  });

  describe('gateway sessions (topics/gateway)', () => {
    interface Frame {
      op: number;
      t?: string;
      s?: number;
      d: unknown;
    }
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${discord.port}`);
      const frames: Frame[] = [];
      ws.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise((resolve) => ws.on('open', resolve));
      return {
        ws,
        frames,
        closed,
        send: (payload: unknown) => ws.send(JSON.stringify(payload)),
        next: async (match: (f: Frame) => boolean) => {
          await expect.poll(() => frames.some(match), { timeout: 2_000 }).toBe(true);
          return frames.find(match) as Frame;
        },
      };
    };
    const identify = { op: 2, d: { token: TEST_DISCORD_TOKEN, intents: 1, properties: {} } };

    it('answers a RESUME of a forgotten session with op 9 INVALID_SESSION', async () => {
      const client = await open();
      client.send({ op: 6, d: { token: TEST_DISCORD_TOKEN, session_id: 'never-existed', seq: 3 } });
      expect((await client.next((f) => f.op === 9)).d).toBe(false);
      client.ws.close();
    });

    it('replays missed dispatches on RESUME, never to a new session; closing with 1000 forgets the session', async () => {
      const first = await open();
      first.send(identify);
      const ready = await first.next((f) => f.t === 'READY');
      const sessionId = (ready.d as { session_id: string }).session_id;
      first.ws.close(4000);
      await first.closed;
      discord.dispatch('MESSAGE_REACTION_ADD', { marker: 'missed' });
      const fresh = await open();
      fresh.send(identify);
      await fresh.next((f) => f.t === 'GUILD_CREATE');
      const resumed = await open();
      resumed.send({ op: 6, d: { token: TEST_DISCORD_TOKEN, session_id: sessionId, seq: ready.s } });
      await resumed.next((f) => f.t === 'RESUMED');
      expect(resumed.frames.filter((f) => f.t === 'MESSAGE_REACTION_ADD')).toHaveLength(1);
      expect(fresh.frames.filter((f) => f.t === 'MESSAGE_REACTION_ADD')).toHaveLength(0);
      resumed.ws.close(1000);
      await resumed.closed;
      const again = await open();
      again.send({ op: 6, d: { token: TEST_DISCORD_TOKEN, session_id: sessionId, seq: 0 } });
      await again.next((f) => f.op === 9);
      fresh.ws.close();
      again.ws.close();
    });

    it('closes with 4004 for a bad token and 4014 for a privileged intent not enabled', async () => {
      discord.acceptedToken = TEST_DISCORD_TOKEN;
      const bad = await open();
      bad.send({ op: 2, d: { token: 'wrong', intents: 1 } });
      expect(await bad.closed).toBe(4004);
      const greedy = await open();
      greedy.send({ op: 2, d: { token: TEST_DISCORD_TOKEN, intents: 1 | (1 << 15) } });
      expect(await greedy.closed).toBe(4014);
      expect(discord.identifies).toBe(0);
    });

    it('past the login budget closes every session and resets the token, as Discord does', async () => {
      // topics/gateway#identifying: "Upon hitting this limit, all active sessions for the app
      // will be terminated, the bot token will be reset".
      let now = 1_000_000;
      discord.now = () => now;
      discord.acceptedToken = TEST_DISCORD_TOKEN;
      discord.setSessionStartLimit(2, 60_000);
      const first = await open();
      first.send(identify);
      await first.next((f) => f.t === 'READY');
      now += 10_000;
      const second = await open();
      second.send(identify);
      await second.next((f) => f.t === 'READY');
      const gateway = async () =>
        (
          (await (await api('GET', '/gateway/bot')).json()) as {
            session_start_limit?: { remaining: number; reset_after: number };
          }
        ).session_start_limit;
      expect(await gateway()).toEqual({ total: 2, remaining: 0, reset_after: 50_000, max_concurrency: 1 });
      // A RESUME spends nothing and is not refused.
      const sessionId = ((await first.next((f) => f.t === 'READY')).d as { session_id: string }).session_id;
      first.ws.close(4000);
      await first.closed;
      const resumed = await open();
      resumed.send({ op: 6, d: { token: TEST_DISCORD_TOKEN, session_id: sessionId, seq: 1 } });
      await resumed.next((f) => f.t === 'RESUMED');

      const third = await open();
      third.send(identify);
      expect(await third.closed).toBe(4004);
      expect(await second.closed).toBe(4004);
      expect(await resumed.closed).toBe(4004);
      expect(discord.tokenReset).toBe(true);
      expect(discord.identifies).toBe(2);
      // The old token is dead everywhere, also once the window is over.
      expect((await api('GET', `/channels/${TEST_IDS.channel}`)).status).toBe(401);
      now += 60_000;
      const later = await open();
      later.send(identify);
      expect(await later.closed).toBe(4004);
    });

    it('gives the budget back reset_after ms after the first IDENTIFY of the window', async () => {
      let now = 5_000_000;
      discord.now = () => now;
      discord.setSessionStartLimit(1, 30_000);
      const first = await open();
      first.send(identify);
      await first.next((f) => f.t === 'READY');
      first.ws.close();
      await first.closed;
      now += 30_000;
      const again = await open();
      again.send(identify);
      await again.next((f) => f.t === 'READY');
      expect(discord.tokenReset).toBe(false);
      again.ws.close();
    });

    it('sends op 7 RECONNECT and spends the session-start budget per IDENTIFY', async () => {
      const client = await open();
      client.send(identify);
      await client.next((f) => f.t === 'READY');
      discord.requestReconnect();
      await client.next((f) => f.op === 7);
      const gateway = (await (await api('GET', '/gateway/bot')).json()) as {
        session_start_limit: { remaining: number; total: number };
      };
      expect(gateway.session_start_limit.total - gateway.session_start_limit.remaining).toBe(1);
      client.ws.close();
    });
  });

  describe('rate limits, permissions, unknown objects', () => {
    const reactionPath = (messageId: string, emoji: string, who = '@me') =>
      `/channels/${TEST_IDS.channel}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/${who}`;

    it('sends X-RateLimit headers and answers 429 with retry_after past the reaction bucket', async () => {
      const message = (await (await post({ content: 'hi' })).json()) as { id: string };
      const first = await api('PUT', reactionPath(message.id, '✅'));
      expect(first.status).toBe(204);
      expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
      const second = await api('PUT', reactionPath(message.id, '❌'));
      expect(second.status).toBe(429);
      expect(((await second.json()) as { retry_after: number }).retry_after).toBeGreaterThan(0);
    });

    it('stores reactions per user and lists them; removing someone else’s needs Manage Messages (50013)', async () => {
      const message = (await (await post({ content: 'hi' })).json()) as { id: string };
      discord.react({ messageId: message.id, emoji: '✅', userId: TEST_IDS.approverUser, silently: true });
      discord.react({ messageId: message.id, emoji: '✅', userId: TEST_IDS.otherUser, silently: true });
      const list = await api(
        'GET',
        `/channels/${TEST_IDS.channel}/messages/${message.id}/reactions/${encodeURIComponent('✅')}`,
      );
      expect(((await list.json()) as { id: string }[]).map((u) => u.id).sort()).toEqual(
        [TEST_IDS.approverUser, TEST_IDS.otherUser].sort(),
      );
      discord.botPermissions = 0n;
      const denied = await api('DELETE', reactionPath(message.id, '✅', TEST_IDS.otherUser));
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { code: number }).code).toBe(50013);
      discord.botPermissions = PERMISSION.ManageMessages;
      await new Promise((resolve) => setTimeout(resolve, 260));
      expect((await api('DELETE', reactionPath(message.id, '✅', TEST_IDS.otherUser))).status).toBe(204);
      expect(discord.reactors(message.id, '✅')).toEqual([TEST_IDS.approverUser]);
    });

    it('refuses to edit another author’s message (50005); unknown message 10008, member 10007, user 10013', async () => {
      const theirs = discord.userMessage('mine');
      const edit = await api('PATCH', `/channels/${TEST_IDS.channel}/messages/${theirs.id}`, {
        content: 'x',
      });
      expect(edit.status).toBe(403);
      expect(((await edit.json()) as { code: number }).code).toBe(50005);
      const missing = await api('GET', `/channels/${TEST_IDS.channel}/messages/123456789012345678`);
      expect(((await missing.json()) as { code: number }).code).toBe(10008);
      const member = await api('GET', `/guilds/${TEST_IDS.guild}/members/123456789012345678`);
      expect(member.status).toBe(404);
      expect(((await member.json()) as { code: number }).code).toBe(10007);
      const user = await api('GET', '/users/123456789012345678');
      expect(((await user.json()) as { code: number }).code).toBe(10013);
      expect((await api('GET', `/users/${TEST_IDS.approverUser}`)).status).toBe(200);
    });
  });
});

/** reference#uploading-files: multipart with payload_json and files[n]; 10 MiB per file. */
describe('FakeDiscord takes attachments like Discord (multipart)', () => {
  let discord: FakeDiscord;
  const upload = (bytes: number) => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ embeds: [{ title: 'with a file' }] }));
    form.append('files[0]', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'r.png');
    return fetch(`${discord.apiUrl}/v10/channels/${TEST_IDS.channel}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${TEST_DISCORD_TOKEN}` },
      body: form,
    });
  };

  beforeEach(async () => {
    discord = new FakeDiscord();
    await discord.start();
  });
  afterEach(async () => {
    await discord.stop();
  });

  it('stores the file byte for byte and lists it under attachments', async () => {
    const res = await upload(1_000);
    expect(res.status).toBe(200);
    const message = (await res.json()) as {
      attachments: { filename: string; size: number; content_type: string }[];
    };
    expect(message.attachments).toEqual([
      expect.objectContaining({ filename: 'r.png', size: 1_000, content_type: 'image/png' }),
    ]);
    const call = discord.calls.at(-1);
    expect(call?.body).toEqual({ embeds: [{ title: 'with a file' }] });
    expect(call?.files?.[0]?.data.equals(Buffer.alloc(1_000))).toBe(true);
  });

  it('refuses a file over 10 MiB with 413 / 40005 and stores nothing', async () => {
    const before = discord.channelMessages().length;
    const res = await upload(UPLOAD_LIMITS.fileBytes + 1);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Request entity too large', code: 40005 });
    expect(discord.channelMessages()).toHaveLength(before);
  });
});
