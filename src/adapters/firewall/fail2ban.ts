/**
 * fail2ban backend: `fail2ban-client [-c DIR] set JAIL banip|unbanip ADDRESS` and
 * `status JAIL` to list. Why it matters: households that already run fail2ban keep one place
 * where bans live, enforced by whatever action the jail uses.
 * Known limits: fail2ban keeps the ban time itself (the jail's `bantime`); the bot unbans at
 * the ban's expiry and re-applies on start, so set the jail's bantime at least as long as
 * BAN_MAX_DURATION. `status` gives no expiry times. Enforcement is the jail's action: the
 * stock `nftables-*` actions hook input only (not forward: Docker-published ports stay open)
 * and their set has no `flags interval`, so a range is listed as banned but not enforced —
 * prefer single addresses or the nftables backend for ranges.
 * How to fix failures: the jail must exist (a jail with `enabled = true` and any filter, e.g.
 * a dummy one with `backend = polling` on an empty log) and the bot must reach the socket.
 */
import { assertCanonical, type BlockTarget, parseBlockTarget } from '../../actions/block-policy.js';
import { requireSuccess, runProgram } from './run-program.js';
import type { FirewallBackend, FirewallEntry } from './types.js';

export interface Fail2banOptions {
  /** argv prefix that runs fail2ban-client, e.g. ['fail2ban-client']. */
  readonly client: readonly string[];
  readonly configDir: string | undefined;
  readonly jail: string;
  readonly timeoutMs: number;
}

export class Fail2banBackend implements FirewallBackend {
  readonly name = 'fail2ban' as const;

  constructor(private readonly options: Fail2banOptions) {}

  /** Checks the jail answers; fail2ban builds its own firewall objects. */
  async prepare(signal?: AbortSignal): Promise<void> {
    await this.run(['status', this.options.jail], `reading fail2ban jail ${this.options.jail}`, signal);
  }

  async block(
    target: BlockTarget,
    _durationMs: number,
    _comment: string,
    signal?: AbortSignal,
  ): Promise<void> {
    assertCanonical(target);
    await this.run(['set', this.options.jail, 'banip', target.text], `blocking ${target.text}`, signal);
  }

  async unblock(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    assertCanonical(target);
    // fail2ban answers 0 for an address that is not banned: unbanning is idempotent.
    await this.run(['set', this.options.jail, 'unbanip', target.text], `unblocking ${target.text}`, signal);
  }

  async list(signal?: AbortSignal): Promise<readonly FirewallEntry[]> {
    const stdout = await this.run(
      ['status', this.options.jail],
      `listing fail2ban jail ${this.options.jail}`,
      signal,
    );
    return parseFail2banStatus(stdout);
  }

  /** The full argv for a client call; exported through the class for unit tests. */
  argv(args: readonly string[]): string[] {
    const config = this.options.configDir ? ['-c', this.options.configDir] : [];
    return [...this.options.client, ...config, ...args];
  }

  private async run(args: readonly string[], what: string, signal?: AbortSignal): Promise<string> {
    const argv = this.argv(args);
    const result = await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal });
    return requireSuccess('fail2ban', argv, result, what).stdout;
  }
}

/** Reads the `Banned IP list:` line of `fail2ban-client status JAIL`. */
export function parseFail2banStatus(stdout: string): FirewallEntry[] {
  const line = stdout.split('\n').find((l) => /Banned IP list:/.test(l));
  if (!line) return [];
  const list = line.slice(line.indexOf('Banned IP list:') + 'Banned IP list:'.length);
  return list
    .split(/[\s,]+/)
    .map((word) => parseBlockTarget(word))
    .filter((t): t is BlockTarget => t !== undefined)
    .map((t) => ({ target: t.text, expiresAt: undefined, comment: undefined }));
}
