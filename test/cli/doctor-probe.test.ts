import { describe, expect, it } from 'vitest';
import { runProbe } from '../../src/cli/doctor.js';
import type { Probe } from '../../src/doctor/types.js';
import { ServiceError } from '../../src/kernel/errors.js';
import { captureLogger, entryWithReference } from '../harness/capture-logger.js';
import { testConfig, testEnv } from '../harness/test-env.js';

const config = testConfig(testEnv({ databasePath: ':memory:', plexUrl: 'http://127.0.0.1:9' }));
const shared = { once: <T>(_key: string, compute: () => Promise<T>) => compute() };
const throwing = (error: unknown): Probe => ({
  id: 'broken',
  title: 'Broken',
  run: () => Promise.reject(error),
});

describe('doctor runProbe', () => {
  it('prints a generic line with a reference and logs the full error under it', async () => {
    const { logger, entries } = captureLogger();
    const result = await runProbe(throwing(new RangeError('secret internals')), config, shared, logger);
    expect(result.status).toBe('fail');
    expect(result.detail).not.toContain('secret internals');
    const reference = /reference ([0-9a-f]{8})/.exec(result.detail)?.[1];
    expect(entryWithReference(entries, reference)).toMatchObject({
      probe: 'broken',
      error: { name: 'RangeError' },
    });
  });

  it('prints a SafeError’s own text', async () => {
    const { logger, entries } = captureLogger();
    const result = await runProbe(
      throwing(new ServiceError('Plex', 'timeout', 'GET / got no answer')),
      config,
      shared,
      logger,
    );
    expect(result).toMatchObject({ status: 'fail', detail: 'GET / got no answer' });
    expect(entries).toEqual([]);
  });
});
