import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LogsConfig } from '../config/index.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { FindingDraft } from '../domain/finding.js';
import type { Clock } from '../kernel/clock.js';
import { presentError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import {
  ADDR_OUTSIDE,
  AddressBook,
  type AddressBookOptions,
  type AddressClassifier,
} from './address-book.js';
import { PlexOwnerName } from './plex-owner-name.js';
import type { ReviewStore } from './review-store.js';
import { createSourceReview } from './source-pipeline.js';
import type { SourcePassResult, SourceReview } from './source-review.js';

/** The check id under which log findings enter the alert lifecycle. */
export const LOG_REVIEW_SOURCE = 'log-review';

export interface LogReviewerDeps {
  readonly logs: LogsConfig;
  /** Whose address is this (AddressScope): only outside addresses are looked at. */
  readonly scope: AddressClassifier & { refresh?(): void };
  /** The SQLite log-review repository in the bot; any ReviewStore in tests. */
  readonly repo: ReviewStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** TRUSTED_PROXIES: whose X-Forwarded-For the parsers believe (none when absent). */
  readonly trustedProxies?: readonly string[];
  /** ASN/country next to addresses in findings; unknown when absent. */
  readonly addressFacts?: AddressFactsLookup;
  /**
   * Learns the Plex owner's account name (see PlexOwnerName) when LOG_PLEX_OWNER is empty;
   * absent: only LOG_PLEX_OWNER names the owner.
   */
  readonly learnPlexOwner?: (signal: AbortSignal) => Promise<string>;
}

export interface SourceFailure {
  readonly sourceId: string;
  readonly kind: string;
  readonly path: string;
  readonly status: 'error';
  /** Safe to show: names the reference of the full error in the bot's log. */
  readonly message: string;
}

export interface ReviewResult {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly sources: readonly (SourcePassResult | SourceFailure)[];
  /** Every finding the review currently reports (open until it expires). */
  readonly findings: readonly FindingDraft[];
}

/**
 * Runs review passes over every configured source. Each source keeps its state in memory
 * between passes; everything that matters is committed with the file offset, so a new process
 * continues exactly where the last commit left off. Passes never overlap.
 */
export class LogReviewer {
  private readonly runtimes = new Map<string, SourceReview>();
  private running: Promise<ReviewResult> | null = null;
  private readonly owner: PlexOwnerName;
  /** The owner name the Plex sources' parsers were built with. */
  private ownerInUse = '';

  constructor(private readonly deps: LogReviewerDeps) {
    this.owner = new PlexOwnerName({
      configured: deps.logs.plexOwner,
      ...(deps.learnPlexOwner ? { learn: deps.learnPlexOwner } : {}),
      clock: deps.clock,
      logger: deps.logger,
    });
  }

  /** One pass; a call during a running pass waits for that pass instead of starting another. */
  review(): Promise<ReviewResult> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<ReviewResult> {
    const { logs, scope, repo, clock, logger } = this.deps;
    const startedAt = clock.now();
    const t0 = performance.now();
    // A pass starts from the scope as it is now (an /allow a second ago counts).
    scope.refresh?.();
    const addresses: AddressBookOptions = { scope, cacheSize: logs.maxTrackedAddresses };
    const sources: (SourcePassResult | SourceFailure)[] = [];
    const plexOwner = logs.sources.some((s) => s.kind === 'plex') ? await this.owner.current() : '';
    if (plexOwner !== this.ownerInUse) {
      // Learned since the parsers were built: rebuilt from the last commit with the name.
      for (const s of logs.sources) if (s.kind === 'plex') this.runtimes.delete(s.id);
      this.ownerInUse = plexOwner;
    }
    for (const source of logs.sources) {
      let runtime = this.runtimes.get(source.id);
      try {
        if (!runtime) {
          runtime = createSourceReview({
            source,
            logs,
            store: repo,
            now: () => clock.now(),
            trustedProxies: this.deps.trustedProxies,
            addressFacts: this.deps.addressFacts,
            plexOwner,
          });
          this.runtimes.set(source.id, runtime);
        }
        const result = await runtime.pass(addresses);
        if (result.status === 'missing')
          logger.warn('log file not found', { source: source.id, path: result.path });
        if (result.status === 'not-a-file')
          logger.warn('log source is not a regular file; not read', {
            source: source.id,
            problem: result.problem,
          });
        else if (result.problem !== undefined)
          logger.warn('log review left something out', { source: source.id, problem: result.problem });
        if (result.rotated || result.truncated) {
          logger.info('log file rotated or truncated', {
            source: source.id,
            rotated: result.rotated,
            truncated: result.truncated,
          });
        }
        sources.push(result);
      } catch (error) {
        // In-memory state may be ahead of the database now: rebuild it from the last commit.
        this.runtimes.delete(source.id);
        const { text } = presentError(error, logger, {
          during: 'reviewing a log source',
          source: source.id,
        });
        sources.push({
          sourceId: source.id,
          kind: source.kind,
          path: source.path,
          status: 'error',
          message: `could not review ${source.id}: ${text}`,
        });
      }
      await yieldToEventLoop();
    }
    const now = clock.now();
    repo.expireFindings(now);
    // An address allowed since it was flagged (/allow, ALLOWLIST), or learned since to be the
    // household's own, drops out now, so the lifecycle resolves its findings instead of
    // waiting for them to expire.
    const book = new AddressBook(addresses);
    const findings = repo
      .activeFindings()
      .filter((row) => book.lookup(networkAddress(row.ip)).kind === ADDR_OUTSIDE)
      .map((row) => row.draft);
    return { startedAt, durationMs: performance.now() - t0, sources, findings };
  }
}

/**
 * The address a finding is about: a finding on an IPv6 network (LOG_IPV6_PREFIX) is keyed by its
 * CIDR text, which is no address; its network address decides whether it is still outside.
 */
function networkAddress(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? key : key.slice(0, slash);
}
