import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCliSync } from '../harness/cli-runner.js';
import { FakeDiscord } from '../harness/fake-discord.js';
import { FakePlex } from '../harness/fake-plex.js';
import { botEnv, TEST_IDS, tempDir, testEnv } from '../harness/test-env.js';

/**
 * The production build (scripts/build.ts, an esbuild bundle) runs: every other test runs src/
 * through tsx, so a bundle that lost a file read by path, a require() or a lazy chunk would
 * pass them all. Built here in set-up, from this tree, into a temp folder (never a stale
 * dist/ from an earlier `npm ci`); a node_modules link beside it resolves the packages the
 * bundle leaves external, as the dist/ beside node_modules does when installed.
 */
const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const LOG = join(repoRoot, 'test/fixtures/logs/nginx.log');
/** Part of discord.js's user agent (@discordjs/rest): in the bundle only where discord.js is. */
const DISCORD_MARK = 'discord.js.org';
/** Writes every module URL the process loads to $LOADED_OUT (module hooks run off-thread). */
const LOADED_HOOK = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_OUT, url + '\\\\n');
  return next(url, context);
}\`));
`;

describe('the built dist CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  let cli: string;
  let dist: string;
  beforeAll(() => {
    dir = tempDir('plex-warden-dist-');
    dist = join(dir.path, 'dist');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--outdir', dist], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir.path, 'node_modules'));
    writeFileSync(join(dir.path, 'loaded-hook.mjs'), LOADED_HOOK);
    cli = join(dist, 'cli.js');
  }, 60_000);
  afterAll(() => dir?.remove());

  const env = (extra: Record<string, string> = {}) =>
    testEnv({
      databasePath: join(dir.path, 'db.sqlite'),
      plexUrl: 'http://127.0.0.1:9',
      ...extra,
    }) as Record<string, string>;
  const run = (args: string[], e = env(), nodeArgs: string[] = []) => {
    const r = spawnSync(process.execPath, [...nodeArgs, cli, ...args], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '', ...e },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('is a bundle: a few chunks, no per-module files of src/', () => {
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(files).toContain('cli.js');
    expect(existsSync(join(dist, 'cli'))).toBe(false);
  });

  it('--help and a subcommand --help', () => {
    const help = run(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: plex-warden <command>/);
    const scan = run(['scan', '--help']);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/^Usage: plex-warden scan/);
  });

  it('--help and replay evaluate none of the bundled undici; scan does', () => {
    // undici sets its global dispatcher as it loads (lib/global.js): the mark of it having run.
    const probe = join(dir.path, 'undici-probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => {
        const loaded = globalThis[Symbol.for('undici.globalDispatcher.1')] !== undefined;
        require('node:fs').writeFileSync(process.env.UNDICI_OUT, String(loaded));
      });\n`,
    );
    const undiciRan = (args: string[]) => {
      const out = join(dir.path, `undici-${args[0]}.txt`);
      const r = run(args, env({ UNDICI_OUT: out }), ['--require', probe]);
      expect([0, 1], r.stderr).toContain(r.code);
      return readFileSync(out, 'utf8');
    };
    expect(undiciRan(['--help'])).toBe('false');
    expect(undiciRan(['replay', LOG, '--kind', 'nginx', '--json'])).toBe('false');
    expect(undiciRan(['scan', '--json'])).toBe('true');
  });

  it('usage and configuration mistakes exit 2 and say what is wrong', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['nope'], env(), /Unknown command "nope"/],
      [['scan', '--bogus'], env(), /^Unknown option '--bogus'\nUsage: plex-warden scan/],
      [['replay', join(dir.path, 'missing.log'), '--kind', 'nginx'], env(), /^Cannot read /],
      [['scan'], env({ PLEX_URL: 'nope' }), /PLEX_URL is invalid \(value not shown\)/],
    ];
    for (const [args, e, stderr] of cases) {
      const r = run(args, e);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(stderr);
    }
  });

  it('replay prints what the sources print, and loads no discord.js chunk', () => {
    const args = ['replay', LOG, '--kind', 'nginx', '--json'];
    const loaded = join(dir.path, 'loaded-replay.txt');
    writeFileSync(loaded, '');
    const built = run(args, env({ LOADED_OUT: loaded }), ['--import', join(dir.path, 'loaded-hook.mjs')]);
    const source = runCliSync(args, env(), dir.path);
    expect([0, 1], built.stderr).toContain(built.code);
    expect(built.code).toBe(source.code);
    // Everything but the time it took.
    const result = (stdout: string) => ({ ...JSON.parse(stdout), durationMs: 0 });
    expect(result(built.stdout)).toEqual(result(source.stdout));

    const withDiscord = readdirSync(dist).filter(
      (f) => f.endsWith('.js') && readFileSync(join(dist, f), 'utf8').includes(DISCORD_MARK),
    );
    expect(withDiscord).not.toEqual([]);
    const ours = readFileSync(loaded, 'utf8')
      .split('\n')
      .filter((url) => url.includes('/dist/'));
    expect(ours.some((url) => url.endsWith('/cli.js'))).toBe(true);
    for (const file of withDiscord) expect(ours.some((url) => url.endsWith(`/${file}`))).toBe(false);
  });

  it('doctor --only database creates and migrates the database in a temp folder', () => {
    const r = run(['doctor', '--only', 'database'], env({ DATABASE_PATH: join(dir.path, 'doctor.sqlite') }));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'doctor.sqlite'))).toBe(true);
  });

  it('whois reads the offline address data (files found by path in node_modules)', () => {
    const r = run(['whois', '8.8.8.8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"US"/);
    expect(r.stdout).toMatch(/15169/);
  });

  it('report renders a PNG with the fonts and the native renderer', () => {
    const out = join(dir.path, 'report.png');
    const r = run(['report', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('bot: connects to the gateway, answers /status and /report (a PNG upload), exits 0 on SIGTERM', async () => {
    const discord = new FakeDiscord();
    const plex = new FakePlex();
    await discord.start();
    await plex.start();
    let child: ChildProcess | undefined;
    const stderrFile = join(dir.path, 'bot-stderr.txt');
    try {
      const e = botEnv(discord, { databasePath: join(dir.path, 'bot.sqlite'), plexUrl: plex.url });
      // At exit, whether Node's own undici was ever loaded (web-globals keeps it out).
      const internal = join(dir.path, 'bot-internal-undici.txt');
      const probe = join(dir.path, 'internal-undici-probe.cjs');
      writeFileSync(
        probe,
        `process.on('exit', () => require('node:fs').writeFileSync(process.env.INTERNAL_OUT,
          String(process.moduleLoadList.some((m) => m.includes('internal/deps/undici')))));\n`,
      );
      child = spawn(process.execPath, ['--require', probe, cli, 'bot'], {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? '', INTERNAL_OUT: internal, ...(e as Record<string, string>) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (chunk) => appendFileSync(stderrFile, chunk));
      const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
      await discord.waitFor((c) => c.method === 'PUT' && c.path.endsWith('/commands'), 20_000);
      await expect.poll(() => discord.ready, { timeout: 10_000 }).toBe(true);
      const { id } = discord.interaction({ name: 'status', userId: TEST_IDS.approverUser });
      await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`), 15_000);
      // A multipart upload: @discordjs/rest sends only the FormData of the undici it uses, and
      // that must be the one src/kernel/web-globals.ts installs (one undici in the bundle).
      const { token } = discord.interaction({ name: 'report', userId: TEST_IDS.approverUser });
      const edit = await discord.waitFor(
        (c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/@original`),
        15_000,
      );
      expect(edit.files?.[0]?.contentType).toBe('image/png');
      expect(edit.files?.[0]?.data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      child.kill('SIGTERM');
      const stderr = () => (existsSync(stderrFile) ? readFileSync(stderrFile, 'utf8') : '');
      expect(await exited, stderr()).toBe(0);
      expect(readFileSync(internal, 'utf8')).toBe('false');
    } finally {
      if (child?.exitCode === null) child.kill('SIGKILL');
      await discord.stop();
      await plex.stop();
    }
  }, 60_000);
});
