import { parseArgs } from 'node:util';
import { PinExpiredError, type PlexPin, PlexTvClient, PlexTvError } from '../adapters/plex/plex-tv-client.js';
import { openStore } from '../adapters/sqlite/index.js';
import { formatDuration, parseDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import { type CliModule, EXIT } from './types.js';

const DEFAULT_WAIT_MS = 10 * 60_000;
const DEFAULT_INTERVAL_MS = 2_000;
/** Consecutive failed polls after which plex.tv is considered down rather than hiccuping. */
const MAX_FAILED_POLLS = 3;

/**
 * Gets a Plex token without browser developer tools: plex.tv's PIN flow. The token is printed
 * once to stdout for the user to copy into .env; it never goes through the logger.
 */
export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values } = parseArgs({
      args: [...args],
      options: { timeout: { type: 'string' }, interval: { type: 'string' } },
      strict: true,
    });
    const waitMs = durationArg('--timeout', values.timeout, DEFAULT_WAIT_MS, 1_000, 60 * 60_000);
    const intervalMs = durationArg('--interval', values.interval, DEFAULT_INTERVAL_MS, 100, 60_000);

    // The same identifier the Plex client sends, so plex.tv and the server see one device.
    const store = openStore(config.core.databasePath);
    let clientIdentifier: string;
    try {
      clientIdentifier = store.repos.settings.plexClientIdentifier();
    } finally {
      store.close();
    }
    const plexTv = new PlexTvClient({
      baseUrl: config.plex.tvUrl,
      clientIdentifier,
      timeoutMs: config.plex.timeoutMs,
    });

    const abort = new AbortController();
    const cancel = () => abort.abort();
    process.once('SIGINT', cancel);
    process.once('SIGTERM', cancel);
    const out = (line = '') => io.stdout.write(`${line}\n`);
    try {
      let pin: PlexPin;
      try {
        pin = await plexTv.createPin(abort.signal);
      } catch (error) {
        return failure(io, error, abort.signal);
      }
      const deadline = Math.min(pin.expiresAt, Date.now() + waitMs);
      out('Open this page, sign in with the Plex account that owns the server, and allow plex-warden:');
      out();
      out(`  ${plexTv.authUrl(pin)}`);
      out();
      out(`Waiting up to ${formatDuration(deadline - Date.now())} (Ctrl-C to cancel)...`);

      let failures = 0;
      while (Date.now() < deadline) {
        await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), abort.signal);
        if (abort.signal.aborted) break;
        try {
          const polled = await plexTv.checkPin(pin.id, abort.signal);
          failures = 0;
          if (polled.authToken) {
            out();
            out('Signed in. Your Plex token (keep it secret; plex-warden never writes it to a log):');
            out();
            out(`PLEX_TOKEN=${polled.authToken}`);
            out();
            out('Put that line in .env (or the EnvironmentFile of the systemd unit), replacing any');
            out('PLEX_TOKEN= line there, then run `plex-warden doctor` to confirm Plex accepts it.');
            return EXIT.ok;
          }
        } catch (error) {
          if (
            error instanceof PinExpiredError ||
            (error instanceof PlexTvError && error.kind === 'aborted')
          ) {
            return failure(io, error, abort.signal);
          }
          failures += 1;
          if (failures >= MAX_FAILED_POLLS) return failure(io, error, abort.signal);
        }
      }
      if (abort.signal.aborted) return failure(io, new PlexTvError('aborted', 'cancelled'), abort.signal);
      io.stderr.write(
        'No sign-in arrived before the PIN expired. Run `plex-warden plex-login` again and approve it in the browser.\n',
      );
      return EXIT.findings;
    } finally {
      process.removeListener('SIGINT', cancel);
      process.removeListener('SIGTERM', cancel);
    }
  },
};

function failure(io: { stderr: NodeJS.WritableStream }, error: unknown, signal: AbortSignal): number {
  if (signal.aborted || (error instanceof PlexTvError && error.kind === 'aborted')) {
    io.stderr.write('Cancelled; no token was created. Nothing was changed.\n');
    return EXIT.findings;
  }
  if (error instanceof PlexTvError) {
    const hint =
      error instanceof PinExpiredError
        ? 'Run `plex-warden plex-login` again and approve the PIN in the browser within its lifetime.'
        : 'Check that this machine reaches plex.tv (PLEX_TV_URL) and try again in a minute.';
    io.stderr.write(`Could not sign in to plex.tv: ${error.message}.\n${hint}\n`);
    return EXIT.findings;
  }
  throw error;
}

function durationArg(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < min || ms > max) {
    throw new UserError(
      `${name} ${JSON.stringify(raw)} is invalid: expected a duration from ${formatDuration(min)} to ${formatDuration(max)}`,
    );
  }
  return ms;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
