/**
 * Can the configured firewall backend actually ban? For `plex-warden doctor` (a probe wraps
 * this) and for anyone who wants one line of truth before approving the first /block. It does
 * what a ban needs — creates our nftables table, asks the fail2ban jail, runs `ufw status`,
 * checks the script is executable — without banning anything.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { parseBlockTarget } from '../../actions/block-policy.js';
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
  crowdsec:
    "Let the bot run cscli (it reads /etc/crowdsec/config.yaml and the local API credentials: root, or CROWDSEC_CONFIG pointing at a config it can read) and make sure CrowdSec's local API is running.",
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
        fix: 'Choose nftables, crowdsec, fail2ban, ufw or command in FIREWALL_BACKEND when you want bans enforced.',
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
    case 'crowdsec':
      return crowdsecProbe(firewall, signal);
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
        const detail = failureText(firewall.name, error);
        if (firewall.name === 'fail2ban' && socketUnreachable(error))
          return {
            status: 'fail',
            detail: `${detail} — ${FAIL2BAN_SOCKET.detail}`,
            fix: FAIL2BAN_SOCKET.fix,
          };
        return { status: 'fail', detail, fix: FIX[firewall.name] };
      }
    }
  }
}

/**
 * fail2ban-client talks to fail2ban over a Unix socket that is root-only by default
 * (/var/run/fail2ban/fail2ban.sock, mode 0600 — `socket` in fail2ban.conf). Whoever can write
 * to it can make fail2ban, which runs as root, run its actions: granting it is granting root.
 */
const FAIL2BAN_SOCKET = {
  detail:
    "the bot cannot reach fail2ban's socket (fail2ban not running, or the socket is root-only, its default)",
  fix: "Granting the bot fail2ban's socket (running it as root, or a group with write access to fail2ban.sock) lets it make fail2ban run commands as root: it is the same as root. For the hardened unit (a non-root user), choose FIREWALL_BACKEND=nftables (needs only CAP_NET_ADMIN) or FIREWALL_BACKEND=crowdsec instead.",
} as const;

function socketUnreachable(error: unknown): boolean {
  if (!(error instanceof FirewallError)) return false;
  // fail2ban-client's own wording when it cannot connect or may not (fail2ban/client/fail2banclient.py).
  return /permission denied|failed to access socket|is fail2ban running|unable to contact server/i.test(
    error.details.stderr ?? '',
  );
}

/** The doctor proves CrowdSec takes and drops a decision, for a documentation address. */
export const CROWDSEC_PROBE_ADDRESS = '192.0.2.254';

async function crowdsecProbe(firewall: FirewallBackend, signal?: AbortSignal): Promise<FirewallHealth> {
  // RFC 5737 TEST-NET-1: never a real source, so a probe decision left behind harms nobody.
  const target = parseBlockTarget(CROWDSEC_PROBE_ADDRESS);
  if (!target) throw new Error('bad probe address');
  try {
    await firewall.prepare(signal);
    await firewall.block(target, 60_000, 'plex-warden: doctor probe (RFC 5737 address)', signal);
    const added = (await firewall.list(signal))?.some((e) => e.target === target.text) ?? false;
    await firewall.unblock(target, signal);
    const left = (await firewall.list(signal))?.some((e) => e.target === target.text) ?? false;
    if (!added || left)
      return {
        status: 'fail',
        detail: `crowdsec: the probe decision for ${target.text} was ${added ? 'not deleted' : 'not listed after adding it'}`,
        fix: FIX.crowdsec,
      };
    return {
      status: 'ok',
      detail: `crowdsec local API took and deleted a ban decision for ${target.text} (documentation address)`,
    };
  } catch (error) {
    return { status: 'fail', detail: failureText(firewall.name, error), fix: FIX.crowdsec };
  }
}

function failureText(name: string, error: unknown): string {
  return error instanceof FirewallError
    ? `${name}: ${error.details.timedOut ? 'timed out' : `failed${error.details.exitCode === null || error.details.exitCode === undefined ? '' : ` (exit ${error.details.exitCode})`}`}: ${firstLine(error.details.stderr)}`
    : `${name}: failed`;
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n').find((l) => l.trim().length > 0) ?? 'no error output';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
