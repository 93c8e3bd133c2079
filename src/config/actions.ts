import type { Severity } from '../domain/severity.js';
import { formatDuration } from '../kernel/duration.js';
import type { Key } from './key.js';
import { ACTIONS, type FIREWALL_BACKENDS } from './keys/index.js';
import type { EnvReader } from './reader.js';

export type FirewallBackendName = (typeof FIREWALL_BACKENDS)[number];

export interface ActionsConfig {
  readonly firewallBackend: FirewallBackendName;
  /** Our own nftables table (family inet); never a table another tool owns. */
  readonly nftTable: string;
  readonly nftPath: string;
  readonly fail2banJail: string;
  readonly fail2banClient: string;
  /** `fail2ban-client -c DIR` when fail2ban runs with a private config dir. */
  readonly fail2banConfigDir: string | undefined;
  readonly ufwPath: string;
  readonly cscliPath: string;
  /** `cscli -c FILE` when CrowdSec runs with a config other than /etc/crowdsec/config.yaml. */
  readonly crowdsecConfig: string | undefined;
  /** Absolute path of the user script for the `command` backend: argv [block|unblock, ip, seconds]. */
  readonly blockCommand: string | undefined;
  /** Upper bound for one firewall program run. */
  readonly firewallTimeoutMs: number;
  /** Distinct approvers whose ✅ is needed before a proposal runs. */
  readonly approvalsRequired: number;
  readonly proposalTtlMs: number;
  readonly banDefaultMs: number;
  readonly banMaxMs: number;
  /** A repeat offender's ban is the base duration times factor^level (1 turns escalation off). */
  readonly banEscalationFactor: number;
  /** The longest an escalated ban may get. */
  readonly banEscalationCapMs: number;
  /** How far back earlier bans of the same address count as "repeat". */
  readonly banEscalationWindowMs: number;
  /** Block without asking when a finding suggests it and is at least this severe. Off by default. */
  readonly autoBlock: boolean;
  readonly autoBlockMinSeverity: Severity;
}

/** Escalated and default bans stay within the longest ban; the table's bounds are static. */
function withinMax(r: EnvReader, key: Key<number, true>, maxMs: number): number {
  const value = r.value(key);
  if (value <= maxMs) return value;
  // A default longer than a short BAN_MAX_DURATION follows it; a value the user set is named.
  if (!r.has(key)) return maxMs;
  r.problem(key, `a duration no longer than BAN_MAX_DURATION (${formatDuration(maxMs)})`, r.raw(key));
  return maxMs;
}

/** The table's `field`s, then the three values bounded by others (BLOCK_COMMAND, the ban lengths). */
export function readActionsConfig(r: EnvReader): ActionsConfig {
  const k = ACTIONS.keys;
  const read = r.fields(ACTIONS);
  return {
    ...read,
    blockCommand: r.value(k.BLOCK_COMMAND, { required: read.firewallBackend === 'command' }),
    banDefaultMs: withinMax(r, k.BAN_DEFAULT_DURATION, read.banMaxMs),
    banEscalationCapMs: withinMax(r, k.BAN_ESCALATION_CAP, read.banMaxMs),
  };
}
