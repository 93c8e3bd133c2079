import { randomBytes } from 'node:crypto';
import { type APIEmbed, DiscordAPIError, type REST, Routes } from 'discord.js';
import * as v from 'valibot';
import type { OutboxRepository } from '../adapters/sqlite/outbox-repository.js';
import type { Clock } from '../kernel/clock.js';
import type { Job } from '../kernel/job.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';

export interface OutgoingMessage {
  readonly content?: string;
  readonly embeds: readonly APIEmbed[];
}

// The parts of an embed (discord-api-types APIEmbed) our messages use; the rest passes through.
const EmbedSchema = v.looseObject({
  title: v.optional(v.string()),
  description: v.optional(v.string()),
  url: v.optional(v.string()),
  timestamp: v.optional(v.string()),
  color: v.optional(v.number()),
  footer: v.optional(v.looseObject({ text: v.string() })),
  fields: v.optional(
    v.array(v.looseObject({ name: v.string(), value: v.string(), inline: v.optional(v.boolean()) })),
  ),
});

/** What the outbox stores: the message and the nonce it is sent with, every time. */
const QueuedMessageSchema = v.object({
  content: v.optional(v.string()),
  embeds: v.array(EmbedSchema),
  nonce: v.optional(v.string()),
});

/**
 * A nonce unique over time (Discord allows 25 characters). Row ids cannot serve: SQLite reuses
 * the id of a deleted last row, and Discord answers a reused nonce within a few minutes with the
 * earlier message instead of posting the new one, silently dropping the alert.
 */
function newNonce(): string {
  return `pw${randomBytes(12).toString('base64url')}`;
}

/**
 * Every alert goes through here: stored first, then sent in order. If Discord is unreachable
 * the messages wait in SQLite and go out, in order and once, when it answers again. Discord's
 * `enforce_nonce` makes a resend after a crash between "sent" and "deleted" a no-op.
 */
export class AlertOutbox {
  /** Delivery runs as a job: one delivery at a time, retried with backoff while Discord fails. */
  private readonly job: Job;
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly repo: OutboxRepository;
      readonly rest: REST;
      readonly channelId: string;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly jobs: JobScheduler;
      /** First wait before a retry; doubles up to 10 minutes. Default 30 s. */
      readonly retryMs?: number;
    },
  ) {
    const firstMs = deps.retryMs ?? 30_000;
    this.job = deps.jobs.add({
      name: 'alert-outbox',
      schedule: { kind: 'on-demand' },
      retry: { firstMs, maxMs: Math.max(firstMs, 10 * 60_000) },
      run: (signal) => this.deliver(signal),
    });
  }

  /** Stores the messages, then tries to deliver everything pending. */
  async post(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const queued: (OutgoingMessage & { readonly nonce: string })[] = messages.map((m) => ({
      ...m,
      nonce: newNonce(),
    }));
    this.deps.repo.enqueue(this.deps.channelId, queued, this.deps.clock.now());
    await this.flush();
  }

  get pending(): number {
    return this.deps.repo.pending();
  }

  /** Delivers pending messages in order; stops at the first failure and retries later. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.job.runNow();
  }

  /** No new deliveries; waits for one in flight so its row is marked before the database closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.job.stop();
  }

  private async deliver(signal: AbortSignal): Promise<'done' | 'retry'> {
    const { repo, rest, logger } = this.deps;
    // Checked before every read: after stop() the database may be about to close.
    while (!this.stopped && !signal.aborted) {
      const item = repo.oldest(QueuedMessageSchema);
      if (!item) return 'done';
      try {
        await rest.post(Routes.channelMessages(item.channelId), {
          body: {
            content: item.payload.content,
            embeds: item.payload.embeds,
            allowed_mentions: { parse: [] },
            // Rows queued before nonces were stored fall back to their id.
            nonce: item.payload.nonce ?? `pw${item.id}`,
            enforce_nonce: true,
          },
        });
        repo.delivered(item.id);
      } catch (error) {
        if (error instanceof DiscordAPIError && error.status === 400) {
          // Malformed: no retry will ever pass, and waiting would hold back every alert behind it.
          // Everything else (outage, 403 until the admin fixes permissions, 429) waits and retries.
          logger.error('Discord refused an alert as malformed; it was set aside', {
            outboxId: item.id,
            code: error.code,
            titles: item.payload.embeds.map((e) => e.title).filter(Boolean),
            error: error.message,
          });
          repo.delivered(item.id);
          continue;
        }
        repo.failed(item.id, error instanceof Error ? error.message : String(error));
        logger.warn('alert delivery failed; will retry', {
          outboxId: item.id,
          pending: repo.pending(),
          error: error instanceof Error ? error.message : String(error),
        });
        return 'retry';
      }
    }
    return 'done';
  }
}
