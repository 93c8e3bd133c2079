/**
 * A long-lived part of the bot (the Discord session, the job scheduler, a watcher). The
 * composition root starts services in order and stops them in reverse; `stop` waits for work
 * in progress, so nothing is left half-recorded when the database closes after it.
 */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
