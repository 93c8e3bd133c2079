import { closeSync, statSync } from 'node:fs';
import type { LogsConfig, NetworkConfig } from '../config/index.js';
import type { LogSourceKind } from '../config/logs.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { FindingDraft } from '../domain/finding.js';
import { UserError } from '../kernel/errors.js';
import { AddressScope } from '../net/address-scope.js';
import { DockerCursor } from './acquire/docker-cursor.js';
import { WholeFileCursor } from './acquire/file-cursor.js';
import { JournalCursor } from './acquire/journal-cursor.js';
import { currentFile, openRegular } from './acquire/source-files.js';
import type { SourceCursor } from './acquire/types.js';
import type { AddressBookOptions } from './address-book.js';
import { MemoryReviewStore } from './memory-review-store.js';
import { parsers } from './parsers/index.js';
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
  /** Per pattern of the kind's parser, how many lines it matched (like fail2ban-regex's list). */
  readonly patterns: readonly { readonly pattern: string; readonly lines: number }[];
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

/** Fails with a readable message for a file that cannot be replayed (never opening a FIFO). */
function checkReadable(file: string, folderAllowed: boolean): void {
  if (folderAllowed) {
    try {
      if (statSync(file).isDirectory()) return;
    } catch {
      // Reported below.
    }
  }
  const opened = openRegular(file);
  if (opened === undefined) throw new UserError(`Cannot read ${file}.`);
  if ('notAFile' in opened) throw new UserError(`${file} is ${opened.notAFile}: give a log file.`);
  closeSync(opened.fd);
}

/** What the file holds when it is not the kind's own lines. */
export interface ReplayVia {
  /** `docker`: a Docker json-file log; `journald`: a journal file or folder read with journalctl. */
  readonly via?: 'docker' | 'journald';
  /** journald only: units or process names to keep (none: every entry). */
  readonly matches?: readonly string[];
}

function replayCursor(file: string, via: ReplayVia, logs: LogsConfig, now: () => number): SourceCursor {
  const bytes = chunkBytes(logs);
  if (via.via === 'journald') {
    // maxAge infinite: the pass starts at the epoch, every entry of the journal.
    return new JournalCursor(
      { matches: via.matches ?? [], path: file },
      {
        chunkBytes: bytes,
        maxAgeMs: Number.POSITIVE_INFINITY,
        now,
      },
    );
  }
  const whole = new WholeFileCursor(file, bytes);
  return via.via === 'docker' ? new DockerCursor(whole) : whole;
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
  via: ReplayVia = {},
): Promise<ReplayResult> {
  // A Plex Logs folder means its main file, as in LOG_SOURCES.
  const source = { id: kind, kind, path };
  const file = via.via === undefined ? currentFile(source) : path;
  checkReadable(file, via.via === 'journald');
  const t0 = performance.now();
  const store = new MemoryReviewStore();
  const review = createSourceReview({
    source,
    logs: deps.logs,
    store,
    now: deps.now,
    trustedProxies: deps.network.trustedProxies,
    addressFacts: deps.addressFacts,
    replay: { cursor: replayCursor(file, via, deps.logs, deps.now) },
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
    patterns: patternCounts(kind, review.patternHits()),
    skipped: result.skipped,
    durationMs: performance.now() - t0,
    addresses: list,
    findings: store.activeFindings().map((f) => f.draft),
    tracking: review.tracking(),
  };
}

function patternCounts(kind: LogSourceKind, hits: Uint32Array): { pattern: string; lines: number }[] {
  const definition = parsers.find((p) => (p.kinds as readonly string[]).includes(kind));
  return (definition?.patterns ?? []).map((pattern, i) => ({ pattern, lines: hits[i] ?? 0 }));
}
