import { type APIEmbed, type REST, Routes } from 'discord.js';
import type { Clock } from '../clock.js';
import type { OutboxRepository } from '../db/outbox-repository.js';
import type { Logger } from '../logger.js';

export interface OutgoingMessage {
  readonly content?: string;
  readonly embeds: readonly APIEmbed[];
}

/**
 * Every alert goes through here: stored first, then sent in order. If Discord is unreachable
 * the messages wait in SQLite and go out, in order and once, when it answers again. Discord's
 * `enforce_nonce` makes a resend after a crash between "sent" and "deleted" a no-op.
 */
export class AlertOutbox {
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly repo: OutboxRepository;
      readonly rest: REST;
      readonly channelId: string;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly retryMs?: number;
    },
  ) {}

  /** Stores the messages, then tries to deliver everything pending. */
  async post(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.deps.repo.enqueue(this.deps.channelId, messages, this.deps.clock.now());
    await this.flush();
  }

  get pending(): number {
    return this.deps.repo.pending();
  }

  /** Delivers pending messages in order; stops at the first failure and retries later. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.flushing ??= this.deliver().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async deliver(): Promise<void> {
    const { repo, rest, logger } = this.deps;
    for (
      let item = repo.oldest<OutgoingMessage>();
      item && !this.stopped;
      item = repo.oldest<OutgoingMessage>()
    ) {
      try {
        await rest.post(Routes.channelMessages(item.channelId), {
          body: {
            content: item.payload.content,
            embeds: item.payload.embeds,
            allowed_mentions: { parse: [] },
            nonce: `pw${item.id}`,
            enforce_nonce: true,
          },
        });
        repo.delivered(item.id);
      } catch (error) {
        repo.failed(item.id, error instanceof Error ? error.message : String(error));
        logger.warn('alert delivery failed; will retry', {
          outboxId: item.id,
          pending: repo.pending(),
          error: error instanceof Error ? error.message : String(error),
        });
        this.scheduleRetry();
        return;
      }
    }
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.flush(), this.deps.retryMs ?? 30_000);
    this.retryTimer.unref();
  }
}
