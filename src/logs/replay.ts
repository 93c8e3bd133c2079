import { closeSync, fstatSync, openSync } from 'node:fs';
import type { LogsConfig, NetworkConfig } from '../config/index.js';
import type { LogSourceKind } from '../config/logs.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { FindingDraft } from '../domain/finding.js';
import { UserError } from '../kernel/errors.js';
import { AddressScope } from '../net/address-scope.js';
import { WholeFileCursor } from './acquire/file-cursor.js';
import { currentFile } from './acquire/source-files.js';
import type { AddressBookOptions } from './address-book.js';
import { MemoryReviewStore } from './memory-review-store.js';
import { chunkBytes, createSourceReview } from './source-pipeline.js';

export interface ReplayAddress {
  readonly ip: string;
  readonly failures: number;
  readonly clientErrors: number;
  readonly badTokens: number;
}

export interface ReplayResult {
  readonly path: string;
  readonly kind: LogSourceKind;
  readonly lines: number;
  /** Lines that meant something (including allow-listed routine requests). */
  readonly matched: number;
  readonly routine: number;
  /** Lines this format does not write (continuations, garbage, over-long lines). */
  readonly skipped: number;
  readonly durationMs: number;
  /** Busiest addresses first. */
  readonly addresses: readonly ReplayAddress[];
  /** What the detectors would flag if nothing were known yet (first-seen included). */
  readonly findings: readonly FindingDraft[];
  /** Per detector: addresses tracked at the end and dropped for the memory bound. */
  readonly tracking: readonly {
    readonly detector: string;
    readonly tracked: number;
    readonly evicted: number;
  }[];
}

/** Fails with a readable message for a file that cannot be replayed. */
function checkReadable(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw new UserError(`${file} is a folder: give a log file.`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Dry run of one file with one parser, like fail2ban-regex: the same review loop as a live
 * source, over a one-shot cursor (every line, to the end) and an in-memory store, with no age
 * limit and no quiet baseline. Nothing is read from or written to the database.
 */
export async function replayFile(
  path: string,
  kind: LogSourceKind,
  deps: {
    logs: LogsConfig;
    network: NetworkConfig;
    isAllowed?: (ip: string) => boolean;
    now: () => number;
    addressFacts?: AddressFactsLookup;
  },
): Promise<ReplayResult> {
  // A Plex Logs folder means its main file, as in LOG_SOURCES.
  const source = { id: kind, kind, path };
  const file = currentFile(source);
  checkReadable(file);
  const t0 = performance.now();
  const store = new MemoryReviewStore();
  const review = createSourceReview({
    source,
    logs: deps.logs,
    store,
    now: deps.now,
    addressFacts: deps.addressFacts,
    replay: { cursor: new WholeFileCursor(file, chunkBytes(deps.logs)) },
  });
  // A dry run knows the configuration only: no /allow entries, no learned public IP.
  const scope = AddressScope.fromConfig(deps.network, { extraAllowed: deps.isAllowed, now: deps.now });
  const addresses: AddressBookOptions = { scope, cacheSize: deps.logs.maxTrackedAddresses };
  const result = await review.pass(addresses);
  if (result.status === 'missing') throw new UserError(`Cannot read ${file}: ENOENT`);
  const list = store.counts(source.id).map(({ ip, failures, clientErrors, badTokens }) => ({
    ip,
    failures,
    clientErrors,
    badTokens,
  }));
  list.sort(
    (a, b) => b.failures + b.clientErrors + b.badTokens - (a.failures + a.clientErrors + a.badTokens),
  );
  return {
    path: file,
    kind,
    lines: result.lines,
    matched: result.matched,
    routine: result.routine,
    skipped: result.skipped,
    durationMs: performance.now() - t0,
    addresses: list,
    findings: store.activeFindings().map((f) => f.draft),
    tracking: review.tracking(),
  };
}
