import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliSync } from '../harness/cli-runner.js';
import { tempDir, testEnv } from '../harness/test-env.js';

/**
 * The subcommands that run where Discord is not configured start without discord.js (issue
 * #16): it is the heaviest package, and loading it is start-up time they do not need. Checked
 * in the real process: discord.js is CommonJS, so whatever loads it (import or require) leaves
 * its files in require.cache, which a preload writes out at exit.
 */
const PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.LOADED_MODULES_OUT, Object.keys(require.cache).join('\\n'));
});
`;
const isDiscord = (file: string) => /[\\/]node_modules[\\/](discord\.js|@discordjs)[\\/]/.test(file);

describe('CLI start-up without discord.js', () => {
  let dir: ReturnType<typeof tempDir>;
  let preload: string;
  beforeAll(() => {
    dir = tempDir();
    preload = join(dir.path, 'loaded-modules.cjs');
    writeFileSync(preload, PRELOAD);
    writeFileSync(
      join(dir.path, 'access.log'),
      '198.51.100.7 - - [29/May/2017:19:02:48 +0000] "GET /wp-login.php HTTP/1.1" 404 612 "-" "x"\n',
    );
  });
  afterAll(() => dir.remove());

  /** Files in require.cache when `args` ended, and how it ended. */
  function loadedBy(args: string[]): { code: number | null; stdout: string; files: string[] } {
    const out = join(dir.path, `loaded-${args[0]}.txt`);
    const env = testEnv({
      databasePath: join(dir.path, 'db.sqlite'),
      plexUrl: 'http://127.0.0.1:9',
      LOG_SOURCES: `nginx:${join(dir.path, 'access.log')}`,
      LOADED_MODULES_OUT: out,
    }) as Record<string, string>;
    const run = runCliSync(args, env, dir.path, 60_000, ['--require', preload]);
    return { code: run.code, stdout: run.stdout, files: readFileSync(out, 'utf8').split('\n') };
  }

  it('the check sees discord.js when a process loads it', () => {
    const out = join(dir.path, 'loaded-control.txt');
    runCliSync(['bot'], { LOADED_MODULES_OUT: out }, dir.path, 60_000, [
      '--require',
      preload,
      '--require',
      createRequire(import.meta.url).resolve('discord.js'),
    ]);
    expect(readFileSync(out, 'utf8').split('\n').some(isDiscord)).toBe(true);
  }, 60_000);

  const commands: readonly [string, string[]][] = [
    ['--help', ['--help']],
    ['replay', ['replay', 'access.log', '--kind', 'nginx']],
    ['scan', ['scan', '--json']],
    ['review', ['review']],
    ['whois', ['whois', '8.8.8.8']],
  ];
  for (const [name, args] of commands) {
    it(`${name} runs to its end without loading discord.js`, () => {
      const run = loadedBy(args);
      // 0, or 1 for findings (scan against a closed Plex port, the probing replay line).
      expect([0, 1], run.stdout).toContain(run.code);
      expect(run.stdout).not.toBe('');
      expect(run.files.filter(isDiscord)).toEqual([]);
    }, 60_000);
  }
});
