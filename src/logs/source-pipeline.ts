import type { LogSourceConfig, LogsConfig } from '../config/logs.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import { CidrSet } from '../net/ip.js';
import { openCursor } from './acquire/index.js';
import type { SourceCursor } from './acquire/types.js';
import { DetectorSet } from './detect/detector-set.js';
import { detectors as registeredDetectors } from './detectors/index.js';
import type { Detector } from './detectors/types.js';
import { createParser } from './parsers/index.js';
import type { ReviewStore } from './review-store.js';
import { SourceReview } from './source-review.js';

const CHUNK_BYTES = 64 * 1024;

export interface SourcePipelineOptions {
  readonly source: LogSourceConfig;
  readonly logs: LogsConfig;
  readonly store: ReviewStore;
  readonly now: () => number;
  readonly addressFacts?: AddressFactsLookup;
  /** Replay: a one-shot cursor, every line whatever its age, no quiet baseline. */
  readonly replay?: { readonly cursor: SourceCursor };
  readonly detectors?: readonly Detector<(typeof registeredDetectors)[number]['id']>[];
  /** TRUSTED_PROXIES: whose X-Forwarded-For the parser believes. */
  readonly trustedProxies?: readonly string[];
  /** The Plex owner's account name when known (learned or LOG_PLEX_OWNER); else LOG_PLEX_OWNER. */
  readonly plexOwner?: string;
}

/** Read size: commits fall between chunks, so a small LOG_COMMIT_BYTES means small chunks. */
export function chunkBytes(logs: Pick<LogsConfig, 'commitBytes'>): number {
  return Math.min(CHUNK_BYTES, Math.max(4096, logs.commitBytes));
}

/** Wires the four parts for one source: its cursor, its kind's parser, its detectors, the store. */
export function createSourceReview(o: SourcePipelineOptions): SourceReview {
  const { source, logs } = o;
  const settings = logs.settings[source.kind];
  return new SourceReview({
    source,
    cursor:
      o.replay?.cursor ??
      openCursor(source, {
        chunkBytes: chunkBytes(logs),
        backfillBytes: logs.backfillBytes,
        maxAgeMs: logs.maxAgeMs,
        now: o.now,
      }),
    parser: createParser(source.kind, {
      timeZone: logs.timeZone,
      now: o.now,
      trustedProxies: CidrSet.parse(o.trustedProxies ?? []),
      plexOwner: o.plexOwner ?? logs.plexOwner,
    }),
    detectors: new DetectorSet({
      source,
      settings,
      maxTracked: logs.maxTrackedAddresses,
      addressFacts: o.addressFacts,
      detectors: o.detectors ?? registeredDetectors,
    }),
    store: o.store,
    logs: o.replay
      ? { ...logs, maxAgeMs: Number.POSITIVE_INFINITY, countsRetentionMs: Number.POSITIVE_INFINITY }
      : logs,
    now: o.now,
    learnBaseline: o.replay === undefined,
    ipv6Prefix: settings.ipv6Prefix,
    keepState: o.replay === undefined,
  });
}
