import { DiscordAPIError, HTTPError, REST } from 'discord.js';
import type { DiscordConfig } from '../../config/index.js';

/** A REST client for one-off doctor calls: no retries, bounded by the probe's signal. */
export function doctorRest(config: DiscordConfig, timeoutMs: number): REST {
  return new REST({ api: config.apiUrl, retries: 0, timeout: timeoutMs }).setToken(config.token);
}

/** A short reason for a failed Discord call, with the HTTP status when there was one. */
export function discordFailure(error: unknown): { status: number | undefined; reason: string } {
  if (error instanceof DiscordAPIError) {
    return { status: error.status, reason: `Discord answered ${error.status} (code ${String(error.code)})` };
  }
  if (error instanceof HTTPError)
    return { status: error.status, reason: `Discord answered HTTP ${error.status}` };
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return { status: undefined, reason: 'Discord did not answer in time' };
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return { status: undefined, reason: `could not reach Discord (${code ?? 'network error'})` };
}
