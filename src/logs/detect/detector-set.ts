import type { LogDetectorId, LogDetectorSettings, LogSourceConfig } from '../../config/logs.js';
import type { AddressFactsLookup } from '../../domain/address-facts.js';
import type { FindingDraft } from '../../domain/finding.js';
import type { AddressInfo } from '../address-book.js';
import type { Detector, DetectorInstance } from '../detectors/types.js';
import type { LogEvent } from '../log-event.js';
import type { DetectorStateRow, LogFindingRow } from '../review-store.js';
import { toFindingDraft } from './suggested-actions.js';

export interface DetectorSetOptions {
  readonly source: LogSourceConfig;
  readonly settings: LogDetectorSettings;
  /** Bound on addresses each detector tracks for this source. */
  readonly maxTracked: number;
  readonly addressFacts?: AddressFactsLookup;
  readonly detectors: readonly Detector<LogDetectorId>[];
}

/**
 * The detectors enabled for one source: fans events out to the ones that want them, remembers
 * which addresses' findings changed, renders those (through the action table) and sweeps ended
 * windows. Up to 30 detectors (one bit each in the interest masks).
 */
export class DetectorSet {
  readonly instances: readonly DetectorInstance[];
  private readonly ids: readonly LogDetectorId[];
  /** Per detector: addresses whose finding changed since the last render, with the log time. */
  private readonly dirty: Map<string, number>[];
  /** For every combination of EV_* bits: the bits of the detectors that want such an event. */
  readonly interested: readonly number[];

  constructor(private readonly o: DetectorSetOptions) {
    const enabled = o.detectors.filter((d) => o.settings.detectors.includes(d.id));
    this.ids = enabled.map((d) => d.id);
    const dirty: Map<string, number>[] = enabled.map(() => new Map());
    this.dirty = dirty;
    this.instances = enabled.map((d, i) => {
      const mine = dirty[i] as Map<string, number>;
      return d.create({
        source: o.source,
        settings: o.settings,
        maxTracked: o.maxTracked,
        changed: (key, time) => mine.set(key, time),
        addressFacts: o.addressFacts,
      });
    });
    this.interested = Array.from({ length: 64 }, (_, flags) =>
      this.instances.reduce((bits, inst, i) => ((inst.mask & flags) !== 0 ? bits | (1 << i) : bits), 0),
    );
  }

  /**
   * Bits of the detectors this event can still change something for; detectors that already
   * know everything about the address are remembered on it (`info.settled`).
   */
  wanted(flags: number, info: AddressInfo): number {
    const instances = this.instances;
    const key = info.key;
    let wanted = 0;
    for (let i = 0; i < instances.length; i++) {
      const bit = 1 << i;
      const inst = instances[i] as DetectorInstance;
      if ((inst.mask & flags) === 0 || (info.settled & bit) !== 0) continue;
      if (inst.settled(key)) info.settled |= bit;
      else wanted |= bit;
    }
    return wanted;
  }

  observe(wanted: number, ev: LogEvent, ip: string, time: number, learning: boolean): void {
    const instances = this.instances;
    for (let i = 0; i < instances.length; i++) {
      if ((wanted & (1 << i)) !== 0 && (instances[i] as DetectorInstance).observe(ev, ip, time, learning)) {
        (this.dirty[i] as Map<string, number>).set(ip, time);
      }
    }
  }

  /** Renders the findings changed since the last call and forgets that they changed. */
  collect(passNow: number, retentionMs: number, out: LogFindingRow[]): void {
    const sourceId = this.o.source.id;
    this.instances.forEach((inst, i) => {
      const dirty = this.dirty[i] as Map<string, number>;
      const detector = this.ids[i] as LogDetectorId;
      for (const [ip, lastAt] of dirty) {
        const detection = inst.render(ip);
        if (!detection) continue;
        const draft: FindingDraft = toFindingDraft(detector, ip, detection, this.o.settings);
        const expiresAt = Math.max(lastAt, passNow) + retentionMs;
        out.push({ key: draft.key, sourceId, detector, ip, draft, lastAt, expiresAt });
      }
      dirty.clear();
    });
  }

  /** Forgets windows that ended before `now` (log time); `between` runs between two detectors. */
  async sweep(now: number, between: () => Promise<void> = async () => {}): Promise<void> {
    for (const inst of this.instances) {
      inst.sweep(now);
      await between();
    }
  }

  restore(load: (detector: string) => readonly DetectorStateRow[]): void {
    for (const inst of this.instances) inst.restore(load(inst.id));
  }

  /** Streams state changed since the last drain, at most `budget` rows (inside the commit transaction). */
  drain(
    write: (detector: string, row: DetectorStateRow) => void,
    remove: (detector: string, ip: string) => void,
    budget = Number.POSITIVE_INFINITY,
  ): void {
    let left = budget;
    for (const inst of this.instances) {
      if (left <= 0) return;
      left -= inst.drain(
        (row) => write(inst.id, row),
        (ip) => remove(inst.id, ip),
        left,
      );
    }
  }

  /** Forgets the state changes drain() would write (a dry run: nothing reads them back). */
  discard(): void {
    for (const inst of this.instances) inst.discard();
  }

  /** Rows drain() still has to write (the changed-finding marks are rendered, not written). */
  undrained(): number {
    let n = 0;
    for (const inst of this.instances) n += inst.table.pending;
    return n;
  }

  /** Changed entries not yet drained, all detectors together (a commit point under a flood). */
  pending(): number {
    let n = this.undrained();
    for (const d of this.dirty) n += d.size;
    return n;
  }

  /** Per detector: addresses tracked now and dropped for the memory bound. */
  tracking(): { detector: string; tracked: number; evicted: number }[] {
    return this.instances.map((i) => ({ detector: i.id, tracked: i.table.size, evicted: i.table.evicted }));
  }
}
