import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlexClient, PlexError } from '../../../src/adapters/plex/plex-client.js';
import { closedPort } from '../../harness/closed-port.js';
import { FakePlex } from '../../harness/fake-plex.js';

describe('PlexClient.terminateSession', () => {
  let plex: FakePlex;
  beforeEach(async () => {
    plex = new FakePlex();
    await plex.start();
    plex.state.sessions = [
      { title: 'Movie', User: { id: 7, title: 'guest' }, Session: { id: 's 1&x', location: 'wan' } },
    ];
  });
  afterEach(() => plex.stop());

  const client = (token: string | undefined, baseUrl = plex.url) =>
    new PlexClient({
      baseUrl,
      token,
      clientIdentifier: '00000000-0000-4000-8000-000000000000',
      timeoutMs: 1_000,
    });

  it('sends the session id and the reason encoded in the query, with the token as a header', async () => {
    expect(await client(plex.state.token).terminateSession('s 1&x', 'Bye & "thanks"')).toBe(200);
    expect(plex.state.terminated).toEqual([{ sessionId: 's 1&x', reason: 'Bye & "thanks"' }]);
    const [req] = plex.requests;
    expect(req?.hadToken).toBe(true);
    expect(req?.query['X-Plex-Token']).toBeUndefined();
  });

  it('returns a refusal as its status instead of throwing', async () => {
    expect(await client(plex.state.token).terminateSession('gone', 'x')).toBe(404);
    expect(await client('wrong-token').terminateSession('s 1&x', 'x')).toBe(401);
    plex.state.plexPass = false;
    expect(await client(plex.state.token).terminateSession('s 1&x', 'x')).toBe(403);
    expect(plex.state.terminated).toEqual([]);
  });

  it('throws when there is no token or no answer', async () => {
    await expect(client(undefined).terminateSession('s 1&x', 'x')).rejects.toBeInstanceOf(PlexError);
    const port = await closedPort();
    await expect(client('t', `http://127.0.0.1:${port}`).terminateSession('s', 'x')).rejects.toBeInstanceOf(
      PlexError,
    );
  });
});
