/**
 * CrowdSec backend: the bot hands its bans to the household's CrowdSec as decisions, and
 * CrowdSec's own firewall bouncer enforces them — no second firewall next to CrowdSec's.
 * `cscli decisions add --ip|--range V --duration Ns --type ban --reason "plex-warden: …"`,
 * `cscli alerts list -o json` and `cscli decisions delete --id N`
 * (https://docs.crowdsec.net/docs/v1.4.0/cscli/cscli_decisions_delete,
 * https://docs.crowdsec.net/docs/v1.5.0/cscli/cscli_decisions_add), always argument arrays.
 * Ours are the decisions with origin `cscli` and our reason prefix; we delete only those, by
 * id, never CrowdSec's own decisions for the same address (1.4's delete has no --origin).
 * We list through alerts, not `cscli decisions list`: in 1.4.6 the latter shows one decision
 * per address (the longest), so ours disappears from it while someone else's longer decision
 * for the same address exists — recorded here against the real local API, see
 * test/system/firewall-crowdsec.test.ts. Alerts keep expired decisions (negative duration):
 * only those with time left count.
 * Known limits: a second add of the same value makes a second decision, so a block first
 * deletes our earlier ones; enforcement is whatever bouncer the household runs.
 * How to fix failures: the bot must be allowed to run cscli (root, or a user that can read
 * /etc/crowdsec/config.yaml and the local API credentials) and the local API must be up.
 */
import { assertCanonical, type BlockTarget, parseBlockTarget } from '../../actions/block-policy.js';
import type { Clock } from '../../kernel/clock.js';
import { requireSuccess, runProgram } from './run-program.js';
import { type FirewallBackend, type FirewallEntry, FirewallError } from './types.js';

export interface CrowdsecOptions {
  /** argv prefix that runs cscli, e.g. ['cscli'] or ['cscli', '-c', CONFIG]. */
  readonly cscli: readonly string[];
  readonly timeoutMs: number;
  readonly clock: Clock;
}

/** Every reason we write starts with this (ban-service writes `plex-warden: REASON`). */
export const OUR_REASON_PREFIX = 'plex-warden';

/** A decision as `cscli decisions list -o json` prints it (recorded from crowdsec 1.4.6). */
interface Decision {
  readonly id: number;
  readonly origin: string;
  readonly scenario: string;
  readonly scope: string;
  readonly type: string;
  readonly value: string;
  readonly duration: string;
}

export class CrowdsecBackend implements FirewallBackend {
  readonly name = 'crowdsec' as const;

  constructor(private readonly options: CrowdsecOptions) {}

  /** Checks the local API answers (cscli logs in to it to list). */
  async prepare(signal?: AbortSignal): Promise<void> {
    await this.decisions(signal);
  }

  async block(target: BlockTarget, durationMs: number, comment: string, signal?: AbortSignal): Promise<void> {
    assertCanonical(target);
    await this.deleteOurs(target, signal);
    const seconds = Math.max(1, Math.ceil(durationMs / 1_000));
    await this.run(
      [
        'decisions',
        'add',
        target.isHost ? '--ip' : '--range',
        target.text,
        '--duration',
        `${seconds}s`,
        '--type',
        'ban',
        '--reason',
        reasonText(comment),
      ],
      `blocking ${target.text}`,
      signal,
    );
  }

  async unblock(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    assertCanonical(target);
    await this.deleteOurs(target, signal);
  }

  async list(signal?: AbortSignal): Promise<readonly FirewallEntry[]> {
    const now = this.options.clock.now();
    return (await this.decisions(signal)).flatMap((d) => {
      const target = parseBlockTarget(d.value);
      if (!target) return [];
      const ms = parseGoDuration(d.duration);
      return [
        { target: target.text, expiresAt: ms === undefined ? undefined : now + ms, comment: d.scenario },
      ];
    });
  }

  private async deleteOurs(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    const ours = (await this.decisions(signal)).filter(
      (d) => parseBlockTarget(d.value)?.text === target.text,
    );
    for (const decision of ours) {
      // "0 decision(s) deleted" (exit 0) when it expired meanwhile: already what we wanted.
      await this.run(
        ['decisions', 'delete', '--id', String(decision.id)],
        `unblocking ${target.text}`,
        signal,
      );
    }
  }

  /** Our active ban decisions: origin cscli, our reason prefix, time left. */
  private async decisions(signal?: AbortSignal): Promise<Decision[]> {
    const result = await this.run(
      ['alerts', 'list', '-o', 'json', '--type', 'ban', '--limit', '0'],
      'listing CrowdSec decisions',
      signal,
    );
    return parseDecisionList(result).filter(
      (d) =>
        d.origin === 'cscli' &&
        d.type === 'ban' &&
        d.scenario.startsWith(OUR_REASON_PREFIX) &&
        (parseGoDuration(d.duration) ?? 0) > 0,
    );
  }

  private async run(args: readonly string[], what: string, signal?: AbortSignal): Promise<string> {
    const argv = [...this.options.cscli, ...args];
    const result = requireSuccess(
      'crowdsec',
      argv,
      await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
      what,
    );
    return result.stdout;
  }
}

/**
 * Reads `cscli alerts list -o json` (and `decisions list`, same shape): `null` when there are
 * none, otherwise alerts each with
 * `decisions: [{id, origin, scenario, scope, type, value, duration}]`.
 */
export function parseDecisionList(json: string): Decision[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new FirewallError('cscli printed something that is not JSON', {
      backend: 'crowdsec',
      stderr: json.slice(0, 200),
    });
  }
  if (!Array.isArray(parsed)) return [];
  const out: Decision[] = [];
  for (const alert of parsed) {
    const decisions = (alert as { decisions?: unknown }).decisions;
    if (!Array.isArray(decisions)) continue;
    for (const raw of decisions) {
      const d = raw as Record<string, unknown>;
      if (
        typeof d.id === 'number' &&
        typeof d.value === 'string' &&
        typeof d.origin === 'string' &&
        typeof d.scenario === 'string' &&
        typeof d.type === 'string'
      ) {
        out.push({
          id: d.id,
          origin: d.origin,
          scenario: d.scenario,
          scope: typeof d.scope === 'string' ? d.scope : '',
          type: d.type,
          value: d.value,
          duration: typeof d.duration === 'string' ? d.duration : '',
        });
      }
    }
  }
  return out;
}

const GO_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** Go's time.Duration text ("3h59m58.134973488s", "-1.5s"), as cscli prints the time left. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^(-)?((?:\d+(?:\.\d+)?(?:h|ms|us|µs|ns|m|s))+)$/.exec(text.trim());
  if (!match?.[2]) return undefined;
  let total = 0;
  for (const part of match[2].matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) {
    total += Number(part[1]) * (GO_UNITS[part[2] ?? ''] ?? 0);
  }
  return match[1] ? -total : total;
}

/** cscli stores the reason as the scenario: printable ASCII, bounded, always our prefix. */
function reasonText(comment: string): string {
  const cleaned = comment
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return cleaned.startsWith(OUR_REASON_PREFIX) ? cleaned : `${OUR_REASON_PREFIX}: ${cleaned}`;
}
