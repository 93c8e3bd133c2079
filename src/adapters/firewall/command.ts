/**
 * command backend: runs the user's script as `SCRIPT block ADDRESS SECONDS` or
 * `SCRIPT unblock ADDRESS 0` — argv only, never a shell, with a fixed PATH and no secrets in
 * its environment. Why it matters: routers, cloud firewalls and other tools the bot does not
 * know can still receive bans. Known limits: the bot cannot list what the script did, so
 * start-up reconciliation only reports. How to fix failures: the script must be executable,
 * exit 0 on success and finish within FIREWALL_TIMEOUT; its stderr is logged.
 */
import { assertCanonical, type BlockTarget } from '../../actions/block-policy.js';
import { requireSuccess, runProgram } from './run-program.js';
import type { FirewallBackend } from './types.js';

export interface CommandOptions {
  readonly command: string;
  readonly timeoutMs: number;
}

export class CommandBackend implements FirewallBackend {
  readonly name = 'command' as const;

  constructor(private readonly options: CommandOptions) {}

  async prepare(): Promise<void> {
    // Nothing to create; a missing script shows up on the first ban with its error.
  }

  async block(
    target: BlockTarget,
    durationMs: number,
    _comment: string,
    signal?: AbortSignal,
  ): Promise<void> {
    assertCanonical(target);
    const seconds = String(Math.max(1, Math.ceil(durationMs / 1_000)));
    await this.run(['block', target.text, seconds], `blocking ${target.text}`, signal);
  }

  async unblock(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    assertCanonical(target);
    await this.run(['unblock', target.text, '0'], `unblocking ${target.text}`, signal);
  }

  async list(): Promise<undefined> {
    return undefined;
  }

  private async run(args: readonly string[], what: string, signal?: AbortSignal): Promise<void> {
    const argv = [this.options.command, ...args];
    requireSuccess(
      'command',
      argv,
      await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
      what,
    );
  }
}
