/**
 * Can the configured firewall backend actually ban? For `plex-warden doctor` (a probe wraps
 * this) and for anyone who wants one line of truth before approving the first /block. It does
 * what a ban needs — creates our nftables table, asks the fail2ban jail, runs `ufw status`,
 * checks the script is executable — without banning anything.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { ActionsConfig } from '../../config/actions.js';
import { type FirewallBackend, FirewallError } from './types.js';

export interface FirewallHealth {
  readonly status: 'ok' | 'warn' | 'fail';
  /** What was seen; never a secret. */
  readonly detail: string;
  /** What to do when it is not fine. */
  readonly fix?: string;
}

const FIX = {
  nftables:
    'Run the bot as root or give it CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN), with nft installed.',
  fail2ban:
    "Create the jail named in FAIL2BAN_JAIL (enabled = true) and let the bot reach fail2ban's socket (root, or FAIL2BAN_CONFIG_DIR).",
  ufw: 'ufw needs root; install ufw or choose another FIREWALL_BACKEND.',
  command: 'BLOCK_COMMAND must be an executable file (chmod +x) that exits 0.',
} as const;

export async function firewallHealth(
  firewall: FirewallBackend,
  config: ActionsConfig,
  signal?: AbortSignal,
): Promise<FirewallHealth> {
  switch (firewall.name) {
    case 'none':
      return {
        status: 'warn',
        detail: 'FIREWALL_BACKEND=none: approved bans are recorded, nothing is enforced',
        fix: 'Choose nftables, fail2ban, ufw or command in FIREWALL_BACKEND when you want bans enforced.',
      };
    case 'command': {
      const script = config.blockCommand ?? '';
      try {
        await access(script, constants.X_OK);
        return { status: 'ok', detail: `${script} is executable (called as: block|unblock IP SECONDS)` };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return { status: 'fail', detail: `${script} cannot be executed (${code})`, fix: FIX.command };
      }
    }
    default: {
      try {
        await firewall.prepare(signal);
        const entries = await firewall.list(signal);
        const count = entries === undefined ? '' : `, ${entries.length} address(es) banned there`;
        const where =
          firewall.name === 'nftables'
            ? `table inet ${config.nftTable} ready (input and forward chains)`
            : firewall.name === 'fail2ban'
              ? `jail ${config.fail2banJail} answers`
              : 'ufw answers';
        return { status: 'ok', detail: `${where}${count}` };
      } catch (error) {
        const detail =
          error instanceof FirewallError
            ? `${firewall.name}: ${error.details.timedOut ? 'timed out' : `failed${error.details.exitCode === null || error.details.exitCode === undefined ? '' : ` (exit ${error.details.exitCode})`}`}: ${firstLine(error.details.stderr)}`
            : `${firewall.name}: failed`;
        return { status: 'fail', detail, fix: FIX[firewall.name] };
      }
    }
  }
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n').find((l) => l.trim().length > 0) ?? 'no error output';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
