import { describe, expect, it } from 'vitest';
import { logError, presentError, ServiceError, UserError } from '../../src/kernel/errors.js';
import { captureLogger, entryWithReference } from '../harness/capture-logger.js';

describe('presentError', () => {
  it('shows a SafeError’s own text and logs nothing', () => {
    const { logger, entries } = captureLogger();
    expect(presentError(new UserError('no check called x'), logger, { during: 'x' })).toEqual({
      text: 'no check called x',
    });
    expect(
      presentError(new ServiceError('Plex', 'timeout', 'GET / got no answer'), logger, { during: 'x' }).text,
    ).toBe('GET / got no answer');
    expect(entries).toEqual([]);
  });

  it('shows an unexpected error as a generic line and logs it in full under the same reference', () => {
    const { logger, entries } = captureLogger(['tok-123456789']);
    const presented = presentError(new TypeError('cannot read x of undefined tok-123456789'), logger, {
      during: 'running a check',
      check: 'c',
    });
    expect(presented.text).toBe(`unexpected error (reference ${presented.reference})`);
    expect(presented.reference).toMatch(/^[0-9a-f]{8}$/);
    const entry = entryWithReference(entries, presented.reference);
    expect(entry).toMatchObject({ level: 'error', check: 'c', error: { name: 'TypeError' } });
    expect(JSON.stringify(entry)).toContain('cannot read x of undefined');
    expect(JSON.stringify(entry)).not.toContain('tok-123456789');
  });

  it('logError logs a SafeError at warn with the error’s fields, for jobs nobody watches', () => {
    const { logger, entries } = captureLogger();
    const cause = new Error('ECONNRESET');
    const error = new ServiceError('the router', 'unreachable', 'GetExternalIPAddress failed', undefined, {
      cause,
    });
    expect(logError(error, logger, { during: 'in the scheduled scan' })).toEqual({
      text: 'GetExternalIPAddress failed',
    });
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        reason: 'GetExternalIPAddress failed',
        error: expect.objectContaining({
          service: 'the router',
          kind: 'unreachable',
          cause: expect.anything(),
        }),
      }),
    ]);
  });
});
