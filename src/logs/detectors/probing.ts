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
 * services that need not be public.
 */
import { formatDuration } from '../../kernel/duration.js';
import { addressLabel } from '../../net/address-label.js';
import { AddressTable } from '../address-table.js';
import { detach, displayText, EV_CLIENT_ERROR, type LogEvent } from '../log-event.js';
import type { Detection, Detector, DetectorContext, DetectorInstance, StateRow } from './types.js';
import { findingKey, isoMinute, milestone } from './types.js';

interface ProbeState {
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

  observe(ev: LogEvent, ip: string, time: number): boolean {
    if (!ev.hasPath()) return false;
    const { probePaths, probeFindTimeMs } = this.ctx.settings;
    let s = this.table.get(ip);
    if (s === undefined || (s.flaggedAt !== 0 && s.lastAt < time - probeFindTimeMs)) {
      s = { seen: [], flaggedAt: 0, total: 0, firstAt: time, lastAt: time, samples: [] };
      this.table.set(ip, s);
    } else {
      this.table.touch(ip);
    }
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
      title: `Probing from ${ip} on ${source.id}`,
      evidence: `${addressLabel(ip, this.ctx.addressFacts)} asked ${source.id} for at least ${milestone(s.total, settings.probePaths)} different paths that failed (4xx) since ${isoMinute(s.firstAt)} (threshold: ${settings.probePaths} within ${this.window}), e.g. ${samples}.`,
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

  restore(rows: readonly StateRow[]): void {
    for (const row of rows) {
      try {
        const s = JSON.parse(row.state) as ProbeState;
        if (Array.isArray(s.seen) && typeof s.lastAt === 'number') this.table.restore(row.ip, s);
      } catch {
        // A corrupt row only loses one address's window.
      }
    }
  }
}

export const probing = {
  id: 'probing',
  create: (ctx: DetectorContext) => new ProbingInstance(ctx),
} as const satisfies Detector;
