import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { type ActionsConfig, readActionsConfig } from './actions.js';
import { type CoreConfig, readCoreConfig } from './core.js';
import { type DiscordConfig, readDiscordConfig } from './discord.js';
import { type ExposureConfig, readExposureConfig } from './exposure.js';
import { type LogsConfig, readLogsConfig } from './logs.js';
import { type NetworkConfig, readNetworkConfig } from './network.js';
import { type PlexConfig, readPlexConfig } from './plex.js';
import { ConfigError, type Env, EnvReader } from './reader.js';
import { type RouterConfig, readRouterConfig } from './router.js';
import { readSignalsConfig, type SignalsConfig } from './signals.js';

export { ConfigError, type Env } from './reader.js';
export type {
  ActionsConfig,
  CoreConfig,
  DiscordConfig,
  ExposureConfig,
  LogsConfig,
  NetworkConfig,
  PlexConfig,
  RouterConfig,
  SignalsConfig,
};

export interface Config {
  readonly core: CoreConfig;
  readonly discord: DiscordConfig | null;
  readonly plex: PlexConfig;
  readonly network: NetworkConfig;
  readonly exposure: ExposureConfig;
  readonly signals: SignalsConfig;
  readonly router: RouterConfig;
  readonly logs: LogsConfig;
  readonly actions: ActionsConfig;
}

export interface LoadOptions {
  /** The bot needs Discord; `scan`, `review` and `replay` do not. */
  readonly requireDiscord: boolean;
}

/**
 * Parses and validates the whole configuration once. Throws ConfigError listing every problem.
 * The result is deeply frozen: nothing changes configuration at run time.
 */
export function loadConfig(env: Env, options: LoadOptions): Config {
  const r = new EnvReader(env);
  const config: Config = {
    core: readCoreConfig(r),
    discord: readDiscordConfig(r, options.requireDiscord),
    plex: readPlexConfig(r),
    network: readNetworkConfig(r),
    exposure: readExposureConfig(r),
    signals: readSignalsConfig(r),
    router: readRouterConfig(r),
    logs: readLogsConfig(r),
    actions: readActionsConfig(r),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** The process environment over the values of a `.env` file (the environment wins). */
export function readEnvironment(processEnv: Env, envFile = '.env'): Env {
  if (!existsSync(envFile)) return processEnv;
  const fromFile = parseEnv(readFileSync(envFile, 'utf8'));
  return { ...fromFile, ...processEnv };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
