import { randomBytes } from 'node:crypto';
import { type APIEmbed, DiscordAPIError, type REST, Routes } from 'discord.js';
import * as v from 'valibot';
import type { OutboxRepository } from '../adapters/sqlite/outbox-repository.js';
import type { Clock } from '../kernel/clock.js';
import type { Job } from '../kernel/job.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';
import { LIMITS } from './embeds.js';

export interface OutgoingMessage {
  readonly content?: string;
  readonly embeds: readonly APIEmbed[];
  /** Per embed, the finding it announces: marked notified once Discord has accepted it. */
  readonly findings?: readonly (string | null)[];
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

/**
 * What the outbox stores: the message and the nonce it is sent with, every time, and the parts
 * still to send after it when Discord refused the whole and it was split (kept in the same row
 * so that the order holds and a crash never resends an accepted part).
 */
interface QueuedMessage extends OutgoingMessage {
  readonly nonce?: string;
  readonly after?: readonly QueuedMessage[];
  /** The line announcing a set-aside message: never announced itself. */
  readonly setAsideNotice?: true;
}

const QueuedMessageSchema: v.GenericSchema<QueuedMessage> = v.object({
  content: v.optional(v.string()),
  embeds: v.array(EmbedSchema),
  findings: v.optional(v.array(v.nullable(v.string()))),
  nonce: v.optional(v.string()),
  after: v.optional(v.array(v.lazy(() => QueuedMessageSchema))),
  setAsideNotice: v.optional(v.literal(true)),
});

/** A short line in the channel for what Discord refused even one finding per message. */
function setAsideNotice(message: QueuedMessage, code: number | string): string {
  const titles = message.embeds
    .map((e) => e.title)
    .filter((t): t is string => Boolean(t))
    .map((t) => t.replace(/[`*_~|<>@[\]()]/g, ' ').slice(0, 100));
  const what = titles.length > 0 ? `: ${titles.join('; ')}` : '';
  return `⚠️ Discord refused an alert (code ${code}) even on its own; it was set aside${what}. \`/findings\` lists every open finding; the bot's log has the details.`.slice(
    0,
    LIMITS.content,
  );
}

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
      /** Called with the findings of a message Discord accepted. */
      readonly onDelivered?: (fingerprints: readonly string[]) => void;
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

  /** Findings in messages still waiting for Discord (they are not notified yet). */
  pendingFindings(): Set<string> {
    const all = new Set<string>();
    const walk = (m: QueuedMessage) => {
      for (const f of m.findings ?? []) if (f) all.add(f);
      for (const part of m.after ?? []) walk(part);
    };
    for (const message of this.deps.repo.queued<QueuedMessage>()) walk(message);
    return all;
  }

  /** Messages Discord refused even one finding per message, kept for /status and /findings. */
  get setAside(): number {
    return this.deps.repo.setAsideCount();
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

  /**
   * The row's first message is sent; when Discord accepts it, its findings are marked notified
   * and the row moves on to its next part (or is deleted). When Discord refuses it as malformed
   * (400), it is split in two and both halves retried, down to one embed per message; only a
   * single embed (or a plain line) that is still refused is set aside, and a short notice says
   * so. Everything else (outage, 403 until the admin fixes permissions, 429) waits and retries.
   */
  private async deliver(signal: AbortSignal): Promise<'done' | 'retry'> {
    const { repo, rest, logger } = this.deps;
    // Checked before every read: after stop() the database may be about to close.
    while (!this.stopped && !signal.aborted) {
      const item = repo.oldest(QueuedMessageSchema);
      if (!item) return 'done';
      const message = item.payload;
      const later = message.after ?? [];
      const next = (parts: readonly QueuedMessage[]) => {
        const [head, ...tail] = parts;
        if (!head) repo.delivered(item.id);
        else repo.update(item.id, { ...head, after: [...(head.after ?? []), ...tail] });
      };
      try {
        await rest.post(Routes.channelMessages(item.channelId), {
          body: {
            content: message.content,
            embeds: message.embeds,
            allowed_mentions: { parse: [] },
            // Rows queued before nonces were stored fall back to their id.
            nonce: message.nonce ?? `pw${item.id}`,
            enforce_nonce: true,
          },
        });
        const fingerprints = (message.findings ?? []).filter((f): f is string => typeof f === 'string');
        if (fingerprints.length > 0) this.deps.onDelivered?.(fingerprints);
        next(later);
      } catch (error) {
        if (error instanceof DiscordAPIError && error.status === 400) {
          if (message.embeds.length > 1) {
            const half = Math.ceil(message.embeds.length / 2);
            const part = (from: number, to?: number): QueuedMessage => ({
              ...(from === 0 && message.content !== undefined ? { content: message.content } : {}),
              embeds: message.embeds.slice(from, to),
              ...(message.findings ? { findings: message.findings.slice(from, to) } : {}),
              nonce: newNonce(),
            });
            logger.warn('Discord refused an alert as malformed; retrying it in smaller messages', {
              outboxId: item.id,
              code: error.code,
              embeds: message.embeds.length,
            });
            next([part(0, half), part(half), ...later]);
            continue;
          }
          logger.error('Discord refused an alert as malformed even on its own; it was set aside', {
            outboxId: item.id,
            code: error.code,
            titles: message.embeds.map((e) => e.title).filter(Boolean),
            error: error.message,
          });
          repo.setAside(item.channelId, message, `${error.code}: ${error.message}`, this.deps.clock.now());
          // The notice is a plain line built by us; it goes last, after what is queued already.
          next(later);
          if (!message.setAsideNotice)
            repo.enqueue(
              item.channelId,
              [
                {
                  content: setAsideNotice(message, error.code),
                  embeds: [],
                  nonce: newNonce(),
                  setAsideNotice: true,
                },
              ],
              this.deps.clock.now(),
            );
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
