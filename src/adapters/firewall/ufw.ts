/**
 * ufw backend: `ufw insert 1 deny from ADDRESS comment ...` for input plus
 * `ufw route insert 1 deny from ADDRESS ...` for forwarded traffic (Docker-published ports).
 * Why it matters: on Ubuntu hosts ufw is the firewall people already look at.
 * Known limits: ufw keeps no expiry; the bot's ban scheduler removes the rules when a ban
 * ends. Not exercised against a real ufw in our test rig (ufw is absent there); the argv is
 * unit-tested. How to fix failures: the bot needs root (ufw writes its rule files).
 */
import { assertCanonical, type BlockTarget, parseBlockTarget } from '../../actions/block-policy.js';
import { requireSuccess, runProgram } from './run-program.js';
import type { FirewallBackend, FirewallEntry } from './types.js';

export interface UfwOptions {
  readonly ufw: readonly string[];
  readonly timeoutMs: number;
}

const COMMENT_TAG = 'plex-warden';

export class UfwBackend implements FirewallBackend {
  readonly name = 'ufw' as const;

  constructor(private readonly options: UfwOptions) {}

  async prepare(signal?: AbortSignal): Promise<void> {
    await this.run(['status'], 'reading ufw status', signal);
  }

  async block(
    target: BlockTarget,
    _durationMs: number,
    _comment: string,
    signal?: AbortSignal,
  ): Promise<void> {
    for (const args of ufwBlockArgs(target)) await this.run(args, `blocking ${target.text}`, signal);
  }

  async unblock(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    // `ufw delete` of a rule that does not exist prints "Could not delete non-existent rule" and exits 0.
    for (const args of ufwUnblockArgs(target)) await this.run(args, `unblocking ${target.text}`, signal);
  }

  async list(signal?: AbortSignal): Promise<readonly FirewallEntry[]> {
    return parseUfwStatus(await this.run(['status'], 'listing ufw rules', signal));
  }

  private async run(args: readonly string[], what: string, signal?: AbortSignal): Promise<string> {
    const argv = [...this.options.ufw, ...args];
    return requireSuccess(
      'ufw',
      argv,
      await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
      what,
    ).stdout;
  }
}

/** Input and forward (route) deny rules, inserted first so they win over allow rules. */
export function ufwBlockArgs(target: BlockTarget): string[][] {
  assertCanonical(target);
  return [
    ['insert', '1', 'deny', 'from', target.text, 'to', 'any', 'comment', COMMENT_TAG],
    ['route', 'insert', '1', 'deny', 'from', target.text, 'to', 'any', 'comment', COMMENT_TAG],
  ];
}

export function ufwUnblockArgs(target: BlockTarget): string[][] {
  assertCanonical(target);
  return [
    ['delete', 'deny', 'from', target.text, 'to', 'any'],
    ['route', 'delete', 'deny', 'from', target.text, 'to', 'any'],
  ];
}

/** Lines such as `Anywhere   DENY   1.2.3.4   # plex-warden` (route rules say `DENY FWD`). */
export function parseUfwStatus(stdout: string): FirewallEntry[] {
  const seen = new Set<string>();
  const out: FirewallEntry[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes(`# ${COMMENT_TAG}`) || !/\bDENY\b/.test(line)) continue;
    const words = line.split('#')[0]?.trim().split(/\s+/) ?? [];
    const from = words[words.length - 1];
    const target = from ? parseBlockTarget(from) : undefined;
    if (target && !seen.has(target.text)) {
      seen.add(target.text);
      out.push({ target: target.text, expiresAt: undefined, comment: COMMENT_TAG });
    }
  }
  return out;
}
