import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LogSourceConfig, LogsConfig } from '../config/logs.js';
import { localDay, localDayBounds } from '../kernel/local-day.js';
import type { SourceCursor, SourcePassPlan, SourcePosition, SourceSegment } from './acquire/types.js';
import { ADDR_INVALID, ADDR_OUTSIDE, AddressBook, type AddressBookOptions } from './address-book.js';
import type { DetectorSet } from './detect/detector-set.js';
import { type EventSink, LineSplitter } from './line-splitter.js';
import { EV_BAD_TOKEN, EV_CLIENT_ERROR, EV_FAILURE, EV_ROUTINE, type LogEvent } from './log-event.js';
import type { LineParser } from './parsers/types.js';
import type {
  AddressCountDelta,
  DailyCount,
  LogFindingRow,
  ReviewStore,
  StoredSource,
} from './review-store.js';

const COUNTED = EV_FAILURE | EV_CLIENT_ERROR | EV_BAD_TOKEN;
/**
 * A long pass lets the bot answer in between. Checked after every chunk: a 64 KiB chunk of
 * familiar addresses takes well under a millisecond, one of a flood of new addresses tens of
 * milliseconds, so the check must come early for the worst case to stay far below 100 ms.
 */
const YIELD_AFTER_MS = 10;
/**
 * Rows (counts, daily counts, detector state) pending that make a commit point at most; a
 * transaction's length is what TRANSACTION_MS bounds. At 2,500 (when a row cost 10-30 us) the
 * log-review bench's normal mix (3,000 addresses, ~5,300 distinct rows touched again and again)
 * made 42 commits per million lines, each rewriting the same rows: half of the pass. Up to the
 * time budget: 18-34 commits, the pass 1.2-1.6x faster.
 */
const TRANSACTION_ROWS = 10_000;
/**
 * Until one commit was measured: the process's first transaction (statements prepared, pages
 * cold) of 2,500 flood rows took 63 ms on the bench machine, twice a later one.
 */
const FIRST_TRANSACTION_ROWS = 1000;
/**
 * What one transaction may take: the next commit point comes after as many rows as the slowest
 * recent cost of a row allows (at least 200: each transaction rewrites the pages it touches, so
 * tiny ones cost more in all), so a slow disk or a loaded machine commits sooner instead of stalling.
 * A budget of 40 ms made the flood's longest transactions 52-77 ms (the cost of a row grows with
 * the table) for no clear gain over 30 (39-43 ms), of the 100 ms a pass may hold the event loop.
 */
const TRANSACTION_MS = 30;

export interface SourceReviewOptions {
  readonly source: LogSourceConfig;
  readonly cursor: SourceCursor;
  readonly parser: LineParser;
  readonly detectors: DetectorSet;
  readonly store: ReviewStore;
  readonly logs: Pick<
    LogsConfig,
    | 'maxAgeMs'
    | 'findingRetentionMs'
    | 'commitBytes'
    | 'commitRows'
    | 'countsMaxAddresses'
    | 'countsRetentionMs'
  >;
  readonly now: () => number;
  /**
   * True for a live source: its first pass learns the baseline quietly (first-seen detectors
   * stay silent). False for `replay`, which reports everything it finds.
   */
  readonly learnBaseline: boolean;
  /**
   * False for `replay`: its store lives as long as the dry run and nothing reads detector state
   * back, so the state is not serialized at every commit point (about a sixth of a replay's CPU).
   */
  readonly keepState?: boolean;
  /**
   * LOG_IPV6_PREFIX of the source's kind: what IPv6 is counted and judged under (none: per
   * address). The detectors' settings carry the same value.
   */
  readonly ipv6Prefix?: number;
}

export interface SourcePassResult {
  readonly sourceId: string;
  readonly kind: string;
  readonly path: string;
  readonly status: SourcePassPlan['status'];
  /** Why a source was not read (not a regular file) or what a pass left out. */
  readonly problem?: string;
  readonly bytes: number;
  readonly lines: number;
  readonly matched: number;
  readonly routine: number;
  readonly skipped: number;
  readonly rotated: boolean;
  readonly truncated: boolean;
  readonly firstRun: boolean;
}

interface Counters {
  lines: number;
  matched: number;
  routine: number;
  skipped: number;
}

const zero = (): Counters => ({ lines: 0, matched: 0, routine: 0, skipped: 0 });

/**
 * The review loop of one source: takes chunks from the cursor, has them parsed, counts and
 * filters the events, feeds the detectors, and commits the cursor's position with the counts,
 * detector state and changed findings in one store transaction. Lives across passes (the
 * state stays in memory); if a commit fails the owner throws this object away and a new one
 * reloads the last committed state, which is exactly where the position is.
 */
export class SourceReview implements EventSink {
  private readonly splitter: LineSplitter;
  private readonly detect: DetectorSet;
  /** The detector set's interest masks, kept at hand for the line loop. */
  private readonly interested: readonly number[];
  /** Per-address counts since the last commit. */
  private readonly counts = new Map<string, AddressCountDelta>();
  /** Per local day and address since the last commit; the current day's map is kept at hand. */
  private readonly daily = new Map<string, Map<string, DailyCount>>();
  private day: Map<string, DailyCount> | undefined;
  private dayFrom = Number.POSITIVE_INFINITY;
  private dayTo = Number.NEGATIVE_INFINITY;
  private stored: StoredSource | undefined;
  private total: Counters = zero();
  private pass_: Counters = zero();
  private addresses!: AddressBook;
  private learning = false;
  private minTime = Number.NEGATIVE_INFINITY;
  private latest = Number.NEGATIVE_INFINITY;
  private passNow = 0;
  private rendered: LogFindingRow[] = [];
  /** Daily rows pending (all days), kept exact so the line loop needs no sum. */
  private dailyRows = 0;
  /** Rows pending that trigger a commit (TRANSACTION_ROWS, less when the last one was slow). */
  private transactionRows = FIRST_TRANSACTION_ROWS;
  /** The slowest recent cost of a row (ms), decaying by a tenth per transaction. */
  private msPerRow = 0;

  constructor(private readonly o: SourceReviewOptions) {
    this.splitter = new LineSplitter(o.parser, this);
    this.detect = o.detectors;
    this.interested = o.detectors.interested;
    const stored = o.store.source(o.source.id);
    this.stored = stored;
    if (stored) {
      o.parser.loadState?.(stored.parserState);
      this.total = { lines: stored.lines, matched: stored.matched, routine: 0, skipped: stored.skipped };
    }
    o.detectors.restore((detector) => o.store.detectorState(o.source.id, detector));
  }

  /** One incremental pass: whatever the cursor has after the committed position. */
  async pass(addresses: AddressBookOptions): Promise<SourcePassResult> {
    this.addresses = new AddressBook({ ...addresses, ipv6Prefix: this.o.ipv6Prefix ?? 128 });
    this.passNow = this.o.now();
    this.minTime = this.passNow - this.o.logs.maxAgeMs;
    this.pass_ = zero();
    const stored = this.stored;
    const plan = await this.o.cursor.pass(stored?.position);
    this.learning = stored ? stored.learning : this.o.learnBaseline;
    let bytes = 0;
    const problems = plan.problem === undefined ? [] : [plan.problem];
    try {
      for (const segment of plan.segments) {
        bytes += await this.read(segment);
        const problem = segment.takeProblem?.();
        if (problem !== undefined) problems.push(problem);
      }
    } finally {
      plan.close();
    }
    return {
      sourceId: this.o.source.id,
      kind: this.o.source.kind,
      path: plan.path,
      status: plan.status,
      ...(problems.length === 0 ? {} : { problem: problems.join('; ') }),
      bytes,
      ...this.pass_,
      rotated: plan.rotated,
      truncated: plan.truncated,
      firstRun: plan.firstRun,
    };
  }

  get counters(): Readonly<Counters> {
    return this.pass_;
  }

  /** Lines matched per pattern of this source's parser so far (this process only). */
  patternHits(): Uint32Array {
    return this.o.parser.hits;
  }

  /** Per detector: addresses tracked now and dropped for the memory bound. */
  tracking(): { detector: string; tracked: number; evicted: number }[] {
    return this.o.detectors.tracking();
  }

  private async read(segment: SourceSegment): Promise<number> {
    const { commitBytes, commitRows } = this.o.logs;
    let bytes = 0;
    let sinceCommit = 0;
    let yielded = performance.now();
    for (let chunk = await segment.next(); chunk !== null; chunk = await segment.next()) {
      this.lines(this.splitter.feed(chunk.text));
      this.skip(this.splitter.takeSkipped() + segment.takeDroppedLines());
      bytes += chunk.bytes;
      sinceCommit += chunk.bytes;
      // Also commit when many rows are pending: a flood of distinct addresses must not grow the
      // per-commit counts and changed-state sets without bound between two byte-based commit
      // points, nor make one commit so large that its (synchronous) transaction stalls the bot.
      const rows = this.counts.size + this.dailyRows + this.detect.pending();
      if (sinceCommit >= commitBytes || rows >= Math.min(commitRows, this.transactionRows)) {
        await this.commitAll(segment.position);
        yielded = performance.now();
        sinceCommit = 0;
      }
      if (performance.now() - yielded > YIELD_AFTER_MS) {
        await yieldToEventLoop();
        yielded = performance.now();
      }
    }
    this.skip(segment.takeDroppedLines());
    // The first pass is over once the live source was read to its end.
    if (segment.live) this.learning = false;
    // Render before windows are swept; sweep by the log's own clock (a skewed zone must not
    // end every window at once).
    this.o.detectors.collect(this.passNow, this.o.logs.findingRetentionMs, this.rendered);
    // The lines land first; the windows the sweep ends are then deleted at the same position in
    // transactions of the usual size (a flood's sweep ended 46,000 windows: one transaction of
    // 110-170 ms). A crash in between restores windows that had ended: the next sweep ends them.
    await this.commitAll(segment.position);
    await this.o.detectors.sweep(Number.isFinite(this.latest) ? this.latest : this.passNow, () =>
      yieldToEventLoop(),
    );
    for (let left = this.detect.undrained(), before = Number.POSITIVE_INFINITY; left > 0 && left < before; ) {
      await this.commitAll(segment.position, Math.min(this.o.logs.commitRows, this.transactionRows));
      before = left;
      left = this.detect.undrained();
    }
    return bytes;
  }

  private lines(n: number): void {
    this.pass_.lines += n;
    this.total.lines += n;
  }

  private skip(n: number): void {
    this.pass_.skipped += n;
    this.total.skipped += n;
  }

  /** Kept small so it inlines into the line loop; the rarer work lives in count() and dispatch(). */
  handle(ev: LogEvent): void {
    const flags = ev.flags;
    if ((flags & EV_ROUTINE) !== 0) {
      this.pass_.routine++;
      this.total.matched++;
      this.pass_.matched++;
      return;
    }
    const info = this.addresses.lookupRange(ev.ipText, ev.ipStart, ev.ipEnd);
    if (info.kind === ADDR_INVALID) {
      this.pass_.skipped++;
      this.total.skipped++;
      return;
    }
    this.pass_.matched++;
    this.total.matched++;
    // IPv6 under its LOG_IPV6_PREFIX network (info.key), as the detectors: temporary addresses
    // (RFC 8981) rotate inside a /64 (RFC 6177), and per address a flood of them was a counts row
    // and a daily row per line (84,000 of a million-line flood's 150,000 rows).
    if ((flags & COUNTED) !== 0) this.count(ev, info.key);
    if (info.kind !== ADDR_OUTSIDE) return;
    // Most lines: a 2xx from an address every interested detector already knows.
    const interested = this.interested[flags] as number;
    if ((info.settled & interested) !== interested)
      this.dispatch(ev, info.key, this.detect.wanted(flags, info));
  }

  private count(ev: LogEvent, ip: string): void {
    const flags = ev.flags;
    const time = this.timeOf(ev);
    let d = this.counts.get(ip);
    if (d === undefined) {
      d = { failures: 0, clientErrors: 0, badTokens: 0, lastAt: time };
      this.counts.set(ip, d);
    }
    if ((flags & EV_FAILURE) !== 0) d.failures++;
    if ((flags & EV_CLIENT_ERROR) !== 0) d.clientErrors++;
    if ((flags & EV_BAD_TOKEN) !== 0) d.badTokens++;
    if (time > d.lastAt) d.lastAt = time;
    if ((flags & (EV_FAILURE | EV_CLIENT_ERROR)) === 0) return;
    // Days change rarely within a batch: the day's bounds are computed once per day, not per line.
    if (this.day === undefined || time < this.dayFrom || time >= this.dayTo) this.enterDay(time);
    const day = this.day as Map<string, DailyCount>;
    let c = day.get(ip);
    if (c === undefined) {
      c = { failures: 0, clientErrors: 0 };
      day.set(ip, c);
      this.dailyRows++;
    }
    if ((flags & EV_FAILURE) !== 0) c.failures++;
    if ((flags & EV_CLIENT_ERROR) !== 0) c.clientErrors++;
  }

  private enterDay(time: number): void {
    const { start, end } = localDayBounds(time);
    const key = localDay(time);
    let day = this.daily.get(key);
    if (day === undefined) {
      day = new Map();
      this.daily.set(key, day);
    }
    this.day = day;
    this.dayFrom = start;
    this.dayTo = end;
  }

  private dispatch(ev: LogEvent, ip: string, wanted: number): void {
    if (wanted === 0) return;
    const time = this.timeOf(ev);
    if (time < this.minTime) return;
    if (time > this.latest) this.latest = time;
    this.detect.observe(wanted, ev, ip, time, this.learning);
  }

  private timeOf(ev: LogEvent): number {
    const t = ev.time;
    return Number.isNaN(t) ? this.passNow : t;
  }

  /**
   * One commit point, one store transaction: the position lands with every count, daily count,
   * state row and finding of the lines behind it, or none of them (a crash resumes from the last
   * position and counts nothing twice, loses nothing). The next trigger is sized from the
   * measured cost of a row so that the transaction stays near TRANSACTION_MS.
   */
  private async commitAll(position: SourcePosition, budget = Number.POSITIVE_INFINITY): Promise<void> {
    const t0 = performance.now();
    const written = this.counts.size + this.dailyRows + Math.min(budget, this.detect.undrained());
    this.write(position, budget);
    const ms = performance.now() - t0;
    await yieldToEventLoop();
    if (written < 100) return;
    this.msPerRow = Math.max(ms / written, this.msPerRow * 0.9);
    this.transactionRows = Math.max(
      200,
      Math.min(TRANSACTION_ROWS, Math.floor(TRANSACTION_MS / Math.max(this.msPerRow, 1e-6))),
    );
  }

  /** `budget`: at most this many detector state rows (the rest wait for the next commit). */
  private write(position: SourcePosition, budget: number): void {
    const { source, store, detectors, parser } = this.o;
    detectors.collect(this.passNow, this.o.logs.findingRetentionMs, this.rendered);
    const stored: StoredSource = {
      sourceId: source.id,
      position,
      learning: this.learning,
      parserState: parser.saveState?.() ?? null,
      lines: this.total.lines,
      matched: this.total.matched,
      skipped: this.total.skipped,
    };
    store.commit(
      {
        source: stored,
        writeStates:
          this.o.keepState === false
            ? () => detectors.discard()
            : (write, remove) => detectors.drain(write, remove, budget),
        counts: this.counts,
        daily: this.daily,
        countsBound: {
          maxAddresses: this.o.logs.countsMaxAddresses,
          seenAfter: this.passNow - this.o.logs.countsRetentionMs,
        },
        findings: this.rendered,
      },
      this.o.now(),
    );
    this.stored = stored;
    this.rendered = [];
    // Cleared only once the transaction landed: a failed commit leaves this object to be dropped.
    this.counts.clear();
    this.daily.clear();
    this.day = undefined;
    this.dailyRows = 0;
  }
}
