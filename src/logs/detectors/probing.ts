/**
 * Probing: one address asking for many *different* paths that do not exist or are refused
 * (distinct 4xx paths within a window) — vulnerability scanners walking /wp-login.php,
 * /.env, /phpmyadmin/ and the like. Same idea as CrowdSec's http probing scenarios (a leaky
 * bucket per source address with `distinct: evt.Meta.http_path` over 400/403/404 answers, static
 * assets left out): distinct paths within a window, static assets (.js, .css, images, fonts)
 * not counted.
 *
 * Why it matters: it is how an exposed service gets found and fingerprinted before the attack.
 * False positives: a broken page linking many missing resources, a client with many stale
 * bookmarks; routine Plex requests are never counted. Fix: approve the block; do not expose
 * services that need not be public. IPv6 is judged per network (LOG_IPV6_PREFIX, a /64 by
 * default): a scanner rotating its addresses inside its /64 walks one window, not one per address.
 */
import { formatDuration } from '../../kernel/duration.js';
import { addressLabel } from '../../net/address-label.js';
import { AddressTable } from '../address-table.js';
import { detach, displayText, EV_CLIENT_ERROR, type LogEvent } from '../log-event.js';
import {
  isRange,
  keyTitle,
  mergeNetworkParts,
  type NetworkPart,
  networkText,
  noteAddress,
  restoreWindow,
  windowKey,
} from './network-window.js';
import type { Detection, Detector, DetectorContext, DetectorInstance, StateRow } from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';

interface ProbeState extends NetworkPart {
  /** Flat [pathHash, lastTime, ...] pairs of the distinct paths in the window. */
  seen: number[];
  flaggedAt: number;
  /** Distinct paths counted since the window began. */
  total: number;
  firstAt: number;
  lastAt: number;
  samples: string[];
}

const SAMPLES = 3;

class ProbingInstance implements DetectorInstance {
  readonly id = 'probing' as const;
  readonly mask = EV_CLIENT_ERROR;
  readonly table: AddressTable<ProbeState>;

  /**
   * What render() writes that changes rarely, kept: an attacker's finding is rendered again at
   * each commit point while it goes on (942 renders of 25 addresses in the startup bench's
   * replay), and making its samples readable (UTF-8 decoding, the embed escapes) and its window
   * a duration took ~30 us a render there. Samples are keyed by their array, which observe()
   * replaces when it adds one.
   */
  private readonly sampleText = new WeakMap<readonly string[], string>();
  private window: string | undefined;

  constructor(private readonly ctx: DetectorContext) {
    this.table = new AddressTable(ctx.maxTracked);
  }

  settled(): boolean {
    return false;
  }

  /** `ip`: the address, or its network when the address book gave that. */
  observe(ev: LogEvent, ip: string, time: number): boolean {
    const flagged = this.add(ev, ip, time);
    const key = windowKey(ip, this.ctx.settings.ipv6Prefix);
    // The finding is the network's: marked (and rendered) under its key, not the address.
    if (flagged && key !== ip) this.ctx.changed(key, time);
    return flagged && key === ip;
  }

  private add(ev: LogEvent, ip: string, time: number): boolean {
    if (!ev.hasPath()) return false;
    const { probePaths, probeFindTimeMs, ipv6Prefix } = this.ctx.settings;
    const key = windowKey(ip, ipv6Prefix);
    let s = this.table.get(key);
    if (s === undefined || (s.flaggedAt !== 0 && s.lastAt < time - probeFindTimeMs)) {
      s = { seen: [], flaggedAt: 0, total: 0, firstAt: time, lastAt: time, samples: [] };
      this.table.set(key, s);
    } else {
      this.table.touch(key);
    }
    if (key !== ip || isRange(key)) noteAddress(s, ev, ip);
    s.lastAt = Math.max(s.lastAt, time);
    const from = s.lastAt - probeFindTimeMs;
    let seen = s.seen;
    // Forget paths that left the window (before the threshold; after it the episode counts
    // on until it goes quiet). Entries are roughly in time order: look only when the first is old.
    if (s.flaggedAt === 0 && seen.length > 0 && (seen[1] as number) < from) {
      const kept: number[] = [];
      for (let i = 0; i < seen.length; i += 2) {
        if ((seen[i + 1] as number) >= from) kept.push(seen[i] as number, seen[i + 1] as number);
      }
      s.seen = kept;
      seen = kept;
    }
    const h = ev.pathHash();
    let known = false;
    for (let i = 0; i < seen.length; i += 2) {
      if (seen[i] === h) {
        seen[i + 1] = Math.max(seen[i + 1] as number, time);
        known = true;
        break;
      }
    }
    // A repeated path changes nothing but the time of the finding.
    if (known) return s.flaggedAt !== 0;
    // concat sizes arrays exactly; push would reserve room for 17 items per address.
    // Raw (latin1) samples; made readable only when a finding is rendered.
    if (s.samples.length < SAMPLES) s.samples = s.samples.concat(detach(ev.pathNoQuery().slice(0, 200)));
    // Bounded: past the threshold only the count matters.
    if (seen.length < probePaths * 4) s.seen = seen.concat(h, time);
    if (s.flaggedAt !== 0) {
      s.total++;
      return true;
    }
    if (s.seen.length === 2) s.firstAt = time;
    s.total = s.seen.length / 2;
    if (s.total >= probePaths) {
      s.flaggedAt = s.lastAt;
      return true;
    }
    return false;
  }

  render(ip: string): Detection | undefined {
    const s = this.table.get(ip);
    if (!s || s.flaggedAt === 0) return undefined;
    const { source, settings } = this.ctx;
    this.window ??= formatDuration(settings.probeFindTimeMs);
    let samples = this.sampleText.get(s.samples);
    if (samples === undefined) {
      samples = s.samples.map((p) => `"${displayText(p, 60)}"`).join(', ');
      this.sampleText.set(s.samples, samples);
    }
    return {
      key: findingKey(this.id, source.id, ip),
      severity: 'medium',
      title: `Probing from ${keyTitle(ip, s)} on ${source.id}`,
      evidence: `${isRange(ip) ? `The network ${networkText(ip, s, this.ctx.addressFacts)}` : addressLabel(ip, this.ctx.addressFacts)} asked ${source.id} for at least ${milestone(s.total, settings.probePaths)} different paths that failed (4xx) since ${isoMinute(s.firstAt)} (threshold: ${settings.probePaths} within ${this.window}), e.g. ${samples}.`,
      fix: 'Approve the block; keep only the services you need reachable from the internet.',
      grounds: `probing ${source.id}: ${settings.probePaths}+ distinct failing paths within ${this.window}`,
    };
  }

  sweep(now: number): void {
    const window = this.ctx.settings.probeFindTimeMs;
    this.table.forEach((s, ip) => {
      if (s.lastAt < now - window) this.table.delete(ip);
    });
  }

  drain(write: (row: StateRow) => void, remove: (ip: string) => void, budget: number): number {
    return this.table.drain(
      (ip, s) => write({ ip, state: JSON.stringify(s), lastAt: s.lastAt }),
      remove,
      budget,
    );
  }

  discard(): void {
    this.table.discard();
  }

  /**
   * Rows stored per IPv6 address fold into their network's window (restoreWindow), as the
   * window detectors' do: the paths seen are merged, the counts added.
   */
  restore(rows: readonly StateRow[]): void {
    const prefix = this.ctx.settings.ipv6Prefix;
    const merge = (a: ProbeState, b: ProbeState) => mergeProbes(a, b, this.ctx.settings.probePaths);
    for (const row of rows) {
      let s: ProbeState;
      try {
        s = JSON.parse(row.state) as ProbeState;
      } catch {
        continue; // A corrupt row only loses one address's window.
      }
      if (!Array.isArray(s.seen) || typeof s.lastAt !== 'number') continue;
      restoreWindow(this.table, row.ip, s, prefix, merge);
    }
  }
}

/** Two windows of one network as one: distinct paths merged (bounded as observe bounds them). */
function mergeProbes(a: ProbeState, b: ProbeState, probePaths: number): ProbeState {
  const seen = a.seen.slice();
  for (let i = 0; i < b.seen.length && seen.length < probePaths * 4; i += 2) {
    if (!seen.some((h, j) => j % 2 === 0 && h === b.seen[i]))
      seen.push(b.seen[i] as number, b.seen[i + 1] as number);
  }
  const flaggedAt = Math.max(a.flaggedAt, b.flaggedAt);
  const total = flaggedAt !== 0 ? a.total + b.total : seen.length / 2;
  return {
    seen,
    flaggedAt: flaggedAt === 0 && total >= probePaths ? Math.max(a.lastAt, b.lastAt) : flaggedAt,
    total,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: Math.max(a.lastAt, b.lastAt),
    samples: a.samples.concat(b.samples).slice(0, SAMPLES),
    ...mergeNetworkParts(a, b),
  };
}

export const probing = {
  id: 'probing',
  create: (ctx: DetectorContext) => new ProbingInstance(ctx),
} as const satisfies Detector;
