import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/app-context.js';
import { plexReachable } from '../../src/checks/plex-reachable.js';
import { closedPort } from '../harness/closed-port.js';
import { FakePlex } from '../harness/fake-plex.js';
import { tempDir, testContext, testEnv } from '../harness/test-env.js';

describe('plex-reachable', () => {
  let dir: ReturnType<typeof tempDir>;
  let plex: FakePlex;
  let ctx: AppContext | undefined;

  beforeEach(async () => {
    dir = tempDir();
    plex = new FakePlex();
    await plex.start();
  });
  afterEach(async () => {
    ctx?.close();
    ctx = undefined;
    await plex.stop();
    dir.remove();
  });

  const scan = async (env: Record<string, string> = {}) => {
    ctx = testContext(testEnv({ databasePath: `${dir.path}/db.sqlite`, plexUrl: plex.url, ...env }), {
      checks: [plexReachable],
    });
    return ctx.runner.run({ trigger: 'cli' });
  };

  it('reports nothing for a healthy server and sends the token only in a header, with a fixed client id', async () => {
    const result = await scan();
    expect(result.findings).toEqual([]);
    expect(plex.requests.map((r) => r.path)).toEqual(['/identity', '/']);
    expect(plex.requests.find((r) => r.path === '/identity')?.hadToken).toBe(false);
    expect(plex.requests.find((r) => r.path === '/')?.hadToken).toBe(true);
    expect(plex.requests.every((r) => !JSON.stringify(r.query).includes(plex.state.token))).toBe(true);
    const id = plex.requests[0]?.clientIdentifier;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    ctx?.close();
    await scan();
    expect(plex.requests.at(-1)?.clientIdentifier).toBe(id);
  });

  it('flags a rejected token as high', async () => {
    const result = await scan({ PLEX_TOKEN: 'revoked-token-123456' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        fingerprint: 'plex-reachable:token-rejected',
        severity: 'high',
        evidence: expect.stringContaining('401'),
      }),
    ]);
  });

  it('flags a missing token as medium and says what still works', async () => {
    const result = await scan({ PLEX_TOKEN: '' });
    expect(result.findings).toEqual([expect.objectContaining({ key: 'no-token', severity: 'medium' })]);
  });

  it('reports a closed port promptly as unreachable', async () => {
    const port = await closedPort();
    const started = performance.now();
    const result = await scan({ PLEX_URL: `http://127.0.0.1:${port}` });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'unreachable',
        severity: 'high',
        evidence: expect.stringContaining('ECONNREFUSED'),
      }),
    ]);
  });

  it('cuts a hanging server off at the Plex timeout', async () => {
    plex.state.mode = 'hang';
    const started = performance.now();
    const result = await scan({ PLEX_TIMEOUT: '300ms' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'unreachable',
        evidence: expect.stringContaining('no answer within 300 ms'),
      }),
    ]);
  });

  it.each(['garbage', 'html'] as const)(
    'explains a server answering %s instead of Plex JSON',
    async (mode) => {
      plex.state.mode = mode;
      const result = await scan();
      expect(result.findings).toEqual([expect.objectContaining({ key: 'not-plex', severity: 'high' })]);
    },
  );

  it('resolves the finding once Plex accepts the token again', async () => {
    plex.state.token = 'rotated-token-000000';
    const bad = await scan();
    expect(bad.changes.opened.map((f) => f.key)).toEqual(['token-rejected']);
    plex.state.token = 'fake-plex-token-0123456789';
    const good = await ctx?.runner.run({ trigger: 'cli' });
    expect(good?.changes.resolved.map((f) => f.key)).toEqual(['token-rejected']);
  });
});
