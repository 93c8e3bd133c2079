import type { Config, Env } from '../config/index.js';

export interface CliIo {
  readonly env: Env;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Exit codes shared by every subcommand (documented in the README). */
export const EXIT = {
  ok: 0,
  /** `scan`/`review`: findings at medium severity or above. */
  findings: 1,
  /** Bad configuration or usage. */
  usage: 2,
  /** Something unexpected; details in the log. */
  failure: 3,
} as const satisfies Record<string, number>;

export interface CliCommand {
  /** Equals the file name in src/cli. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** What configuration it needs: none, everything but Discord, or everything. */
  readonly config: 'none' | 'plex' | 'discord';
  /** Imports the subcommand's module when it runs (see index.ts). */
  load(): Promise<{ readonly cli: CliModule }>;
}

/** What a subcommand's module exports as `cli`. */
export interface CliModule {
  run(args: readonly string[], config: Config | undefined, io: CliIo): Promise<number>;
}
