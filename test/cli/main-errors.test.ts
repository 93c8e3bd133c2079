import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliCommand } from '../../src/cli/types.js';
import { ServiceError } from '../../src/kernel/errors.js';

function throwing(error: unknown): CliCommand {
  return {
    name: 'boom',
    summary: 'throws',
    usage: 'plex-warden boom',
    config: 'none',
    load: async () => ({ cli: { run: () => Promise.reject(error) } }),
  };
}

async function run(error: unknown): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const code = await main(['boom'], { env: { LOG_FORMAT: 'json' }, stdout: new PassThrough(), stderr }, [
    throwing(error),
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stderr: chunks.join('') };
}

describe('CLI error boundary', () => {
  it('an unexpected error prints a reference and logs the full error under it', async () => {
    const { code, stderr } = await run(new TypeError('secret internals'));
    expect(code).toBe(3);
    const reference = /failed: unexpected error \(reference ([0-9a-f]{8})\)/.exec(stderr)?.[1];
    expect(reference).toBeDefined();
    const logged = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((e) => e.reference === reference);
    expect(logged).toMatchObject({
      level: 'error',
      error: { name: 'TypeError', message: 'secret internals' },
    });
  });

  it('a ServiceError prints its own text, without a usage line', async () => {
    const { code, stderr } = await run(
      new ServiceError('Plex', 'timeout', 'GET / got no answer within 5 ms'),
    );
    expect(code).toBe(3);
    expect(stderr).toBe('plex-warden boom failed: GET / got no answer within 5 ms\n');
  });
});
