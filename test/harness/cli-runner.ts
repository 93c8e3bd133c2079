import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.js';

export const repoRoot = join(import.meta.dirname, '../..');
export const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const cliPath = join(repoRoot, 'src/cli.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in a child process, in `cwd`, with exactly `env` (plus PATH); `nodeArgs`
 * go to node before the script (e.g. a `--require` preload).
 */
export function runCliSync(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 30_000,
  nodeArgs: readonly string[] = [],
) {
  const result = spawnSync(process.execPath, [...nodeArgs, '--import', tsxLoader, cliPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal };
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code (null when killed by a signal) and the time it took. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts the real CLI as a long-running child (the bot), capturing its output. */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  extra: { uid?: number; gid?: number } = {},
): SpawnedCli {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...extra,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => (output.stdout += String(chunk)));
  child.stderr?.on('data', (chunk) => (output.stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, output, exited };
}

/** Runs main() in this process with captured output. */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _e, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main(args, {
    env,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}
