import { spawn } from 'node:child_process';
import type { FirewallBackendName } from '../../config/actions.js';
import { FirewallError } from './types.js';

/** Firewall programs get a fixed PATH and nothing else: the bot's secrets stay in the bot. */
const CHILD_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
} as const;

export interface ProgramResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly spawnError: NodeJS.ErrnoException | undefined;
}

export interface RunOptions {
  readonly input?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Bytes kept from each of stdout and stderr; a runaway program cannot fill memory. */
  readonly maxOutput?: number;
}

/**
 * Runs `argv[0]` with the rest as arguments: no shell, so no quoting and no injection. Never
 * throws; the caller turns a bad result into its own typed error with the stderr attached.
 */
export function runProgram(argv: readonly string[], options: RunOptions): Promise<ProgramResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('runProgram: empty argv');
  const max = options.maxOutput ?? 1_000_000;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    let settled = false;
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      // Own process group, so a timeout kills the script's children too (a `sleep` left behind
      // would hold the output pipes open and the call would hang past its timeout).
      detached: true,
      signal: options.signal,
      env: CHILD_ENV,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < max) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < max) stderr += chunk;
    });
    child.stdin.on('error', () => {
      // The program exited before reading its input; its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ stdout, stderr: stderr.trim(), exitCode, timedOut, spawnError });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      // 'close' may not follow a spawn failure.
      setImmediate(() => finish(null));
    });
    child.on('close', (code) => finish(code));
    child.on('exit', (code) => {
      if (timedOut) finish(code);
    });
  });
}

/** Throws a FirewallError describing why the run failed; returns the result when it exited 0. */
export function requireSuccess(
  backend: FirewallBackendName,
  argv: readonly string[],
  result: ProgramResult,
  what: string,
): ProgramResult {
  const program = argv.join(' ');
  if (result.spawnError) {
    throw new FirewallError(`${what}: cannot run ${argv[0]} (${result.spawnError.code ?? 'error'})`, {
      backend,
      program,
      exitCode: null,
      stderr: result.spawnError.message,
    });
  }
  if (result.timedOut) {
    throw new FirewallError(`${what}: ${argv[0]} did not finish in time`, {
      backend,
      program,
      exitCode: result.exitCode,
      stderr: result.stderr,
      timedOut: true,
    });
  }
  if (result.exitCode !== 0) {
    // stderr is the program's text, not ours: it stays in details (logged), out of the message.
    throw new FirewallError(`${what}: ${argv[0]} exited with ${result.exitCode}`, {
      backend,
      program,
      exitCode: result.exitCode,
      stderr: result.stderr,
    });
  }
  return result;
}
