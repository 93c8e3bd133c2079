import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kernel/logger.js';
import { TEST_DISCORD_TOKEN } from '../harness/test-env.js';

function capture(secrets: string[], format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format, secrets, stream }), lines };
}

describe('logger redaction', () => {
  const plexToken = 'PlexTok3nValue-xyz';

  it.each(['json', 'pretty'] as const)(
    'removes configured secrets and token patterns (%s)',
    async (format) => {
      const { logger, lines } = capture([plexToken, TEST_DISCORD_TOKEN], format);
      logger.info(`GET http://plex:32400/library?X-Plex-Token=${plexToken}&x=1`);
      logger.warn('request failed', {
        url: 'http://plex:32400/?X-Plex-Token=otherunknowntoken123',
        headers: { 'X-Plex-Token': 'abc123456789', Authorization: `Bot ${TEST_DISCORD_TOKEN}` },
        nested: { deeper: [`token was ${plexToken}`] },
        token: 'anything',
      });
      logger.error('boom', { error: new Error(`failed with ${TEST_DISCORD_TOKEN}`) });
      logger.info('interaction', {
        path: '/interactions/123456789012345678/aW50ZXJhY3Rpb246c2VjcmV0dG9rZW5oZXJl/callback',
      });
      logger.debug('a token-shaped string', {
        value: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789',
      });
      await new Promise((resolve) => setImmediate(resolve));
      const out = lines.join('');
      expect(out).not.toContain(plexToken);
      expect(out).not.toContain(TEST_DISCORD_TOKEN);
      expect(out).not.toContain('otherunknowntoken123');
      expect(out).not.toContain('abc123456789');
      expect(out).not.toContain('c2VjcmV0dG9rZW5oZXJl');
      expect(out).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
      expect(out).not.toContain('anything');
      expect(out).toContain('[redacted]');
      expect(out).toContain('request failed');
    },
  );

  it('writes one JSON object per line in json format', async () => {
    const { logger, lines } = capture([]);
    logger.info('hello', { check: 'plex-reachable' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'info',
      message: 'hello',
      check: 'plex-reachable',
    });
  });
});
