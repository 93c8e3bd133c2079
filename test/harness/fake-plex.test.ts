import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakePlex } from './fake-plex.js';

/** The fake is only useful if it is as strict as the real server it stands for. */
describe('fake Plex', () => {
  let plex: FakePlex;
  beforeEach(async () => {
    plex = new FakePlex();
    await plex.start();
  });
  afterEach(() => plex.stop());

  const get = async (path: string, headers: Record<string, string>) => {
    const res = await request(`${plex.url}${path}`, { headers });
    return { type: String(res.headers['content-type']), text: await res.body.text() };
  };

  it('answers pings on the notification socket with the same data, until it goes silent', async () => {
    const ws = new WebSocket(`${plex.url.replace('http', 'ws')}/:/websockets/notifications`, {
      headers: { 'X-Plex-Token': plex.state.token },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const pongs: string[] = [];
    ws.on('pong', (data) => pongs.push(data.toString()));
    ws.ping('one');
    const deadline = Date.now() + 2_000;
    while (pongs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(pongs).toEqual(['one']);
    plex.silence();
    const messages: unknown[] = [];
    ws.on('message', (m) => messages.push(m));
    ws.ping('two');
    plex.notifyPlaying('1');
    await new Promise((r) => setTimeout(r, 200));
    expect(pongs).toEqual(['one']);
    expect(messages).toEqual([]);
    // Half-open, not closed: the server still holds the connection.
    expect(plex.sockets).toHaveLength(1);
    expect(plex.sockets[0]?.pings).toBe(2);
    ws.terminate();
  });

  it('answers XML without Accept: application/json, as Plex does', async () => {
    const { type, text } = await get('/identity', {});
    expect(type).toMatch(/xml/);
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<MediaContainer /);
    expect(text).toContain(`machineIdentifier="${'a'.repeat(40)}"`);
    expect(text).toContain('claimed="1"');
  });

  it('answers JSON wrapped in MediaContainer with the header', async () => {
    const { type, text } = await get('/identity', { accept: 'application/json' });
    expect(type).toMatch(/json/);
    expect(JSON.parse(text).MediaContainer.version).toBe(plex.state.identity.version);
  });

  it('writes session children as elements, like the recorded home-assistant session_base.xml', async () => {
    plex.state.sessions = [
      {
        title: 'Movie 1',
        Player: { address: '1.2.3.11', local: 1, remotePublicAddress: '10.20.30.40', state: 'playing' },
        User: { id: 1, title: 'User 1' },
        Session: { id: 'session_id_1', bandwidth: 7000, location: 'lan' },
      },
    ];
    const { text } = await get('/status/sessions', { 'x-plex-token': plex.state.token });
    expect(text).toContain('<Metadata title="Movie 1">');
    expect(text).toContain(
      '<Player address="1.2.3.11" local="1" remotePublicAddress="10.20.30.40" state="playing" />',
    );
    expect(text).toContain('<Session id="session_id_1" bandwidth="7000" location="lan" />');
  });

  it('refuses a request without the token with a small HTML page', async () => {
    const { type, text } = await get('/:/prefs', { accept: 'application/json' });
    expect(type).toMatch(/html/);
    expect(text).toContain('401 Unauthorized');
  });

  describe('GET /status/sessions/terminate', () => {
    const status = async (path: string, headers: Record<string, string>) => {
      const res = await request(`${plex.url}${path}`, { headers });
      await res.body.text();
      return res.statusCode;
    };
    const terminate = '/status/sessions/terminate?sessionId=s-1&reason=Not%20yours';
    beforeEach(() => {
      plex.state.sessions = [
        { title: 'Movie 1', User: { id: 7, title: 'guest' }, Session: { id: 's-1', location: 'wan' } },
      ];
    });

    it('ends the session and records the reason', async () => {
      expect(await status(terminate, { 'x-plex-token': plex.state.token })).toBe(200);
      expect(plex.state.terminated).toEqual([{ sessionId: 's-1', reason: 'Not yours' }]);
      expect(plex.state.sessions).toEqual([]);
    });

    it('needs the token', async () => {
      expect(await status(terminate, {})).toBe(401);
      expect(plex.state.terminated).toEqual([]);
    });

    it('answers 404 for a session that is not playing', async () => {
      const path = '/status/sessions/terminate?sessionId=gone&reason=x';
      expect(await status(path, { 'x-plex-token': plex.state.token })).toBe(404);
      expect(await status('/status/sessions/terminate?reason=x', { 'x-plex-token': plex.state.token })).toBe(
        404,
      );
      expect(plex.state.sessions).toHaveLength(1);
    });

    it('refuses without Plex Pass', async () => {
      plex.state.plexPass = false;
      expect(await status(terminate, { 'x-plex-token': plex.state.token })).toBe(403);
      expect(plex.state.terminated).toEqual([]);
      expect(plex.state.sessions).toHaveLength(1);
    });
  });
});
