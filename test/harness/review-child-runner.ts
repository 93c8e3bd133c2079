import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'log-review-child.ts');

/**
 * Runs log-review-child.ts over one source until it prints `done`, or kills it with SIGKILL
 * `killAfterMs` after it said `ready` (null: never). `env` is laid over the child's config.
 * `killAtCommit`: the child kills itself (SIGKILL) inside that store commit, mid-transaction.
 */
export function runReviewChild(
  source: string,
  db: string,
  killAfterMs: number | null,
  env: Record<string, string> = {},
  killAtCommit?: number,
): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', CHILD, source, db, JSON.stringify(env)];
    if (killAtCommit !== undefined) args.push(String(killAtCommit));
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterMs !== null && timer === undefined && out.includes('ready'))
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (out.includes('done')) resolve('done');
      else if (signal === 'SIGKILL') resolve('killed');
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}
