import { parseArgs } from 'node:util';
import { DISCORD_KEYS } from '../config/discord.js';
import { type Config, ConfigError, loadConfig, readEnvironment } from '../config/index.js';
import { probes } from '../doctor/index.js';
import type { Probe, ProbeResult, ProbeShared, ProbeStatus } from '../doctor/types.js';
import { scanShared } from '../exposure/scan-shared.js';
import { presentError, UserError } from '../kernel/errors.js';
import { createLogger, type Logger, Redactor } from '../kernel/logger.js';
import { type CliModule, EXIT } from './types.js';

const ICON = { ok: '✔', warn: '!', fail: '✘', skip: '-' } as const satisfies Record<ProbeStatus, string>;

/**
 * Checks the installation, one line per probe with what to do. Exit 0 when nothing failed
 * (warnings allowed), 1 when something failed, including a configuration that does not load.
 */
export const cli: CliModule = {
  async run(args, _config, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { only: { type: 'string', multiple: true } },
      strict: true,
    });
    const unknown = (values.only ?? []).filter((id) => !probes.some((p) => p.id === id));
    if (unknown.length > 0) {
      throw new UserError(
        `Unknown probe ${unknown.map((id) => `"${id}"`).join(', ')}. Known: ${probes.map((p) => p.id).join(', ')}.`,
      );
    }
    const selected = values.only ? probes.filter((p) => values.only?.includes(p.id)) : probes;
    const width = Math.max('Configuration'.length, ...probes.map((p) => p.title.length));
    let redactor = new Redactor([]);
    const print = (title: string, result: ProbeResult) => {
      io.stdout.write(`${ICON[result.status]} ${title.padEnd(width)}  ${redactor.text(result.detail)}\n`);
      if (result.fix && result.status !== 'ok')
        io.stdout.write(`  ${' '.repeat(width)}  → ${redactor.text(result.fix)}\n`);
    };

    const env = readEnvironment(io.env);
    const discordKeys = DISCORD_KEYS.some(
      (key) => key !== 'DISCORD_API_URL' && (env[key] ?? '').trim() !== '',
    );
    let config: Config;
    try {
      config = loadConfig(env, { requireDiscord: discordKeys });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      print('Configuration', {
        status: 'fail',
        detail: `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:\n${error.problems.map((p) => `      - ${p}`).join('\n')}`,
        fix: 'Fix the keys named above (.env.example explains each), then run the doctor again.',
      });
      // Bad configuration is exit 2 for every command, the doctor included.
      return EXIT.usage;
    }
    redactor = new Redactor([config.discord?.token, config.plex.token]);
    // Lines of unexpected probe failures go to stderr, so stdout stays the report.
    const logger = createLogger({
      level: config.core.logLevel,
      format: config.core.logFormat,
      secrets: [config.discord?.token, config.plex.token],
      stream: io.stderr,
    });
    if (!values.only) {
      print('Configuration', {
        status: 'ok',
        detail: discordKeys ? 'loaded, Discord keys set' : 'loaded; no Discord keys (only `scan` can run)',
      });
    }

    const shared = scanShared();
    let failed = 0;
    for (const probe of selected) {
      if (probe.applies && !probe.applies(config)) continue;
      const result = await runProbe(probe, config, shared, logger);
      if (result.status === 'fail') failed += 1;
      print(probe.title, result);
    }
    io.stdout.write(
      failed === 0
        ? '\nNothing failed.\n'
        : `\n${failed} check${failed === 1 ? '' : 's'} failed: see the → lines.\n`,
    );
    return failed === 0 ? EXIT.ok : EXIT.findings;
  },
};

const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/**
 * Runs one probe within its time. A probe reports instead of throwing; when it throws anyway the
 * line shows a SafeError's text, or a generic line whose reference names the logged error.
 */
export async function runProbe(
  probe: Probe,
  config: Config,
  shared: ProbeShared,
  logger: Logger,
): Promise<ProbeResult> {
  const timeoutMs = probe.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort(new Error('probe timed out'));
      resolve({
        status: 'fail',
        detail: `no answer within ${Math.round(timeoutMs / 1000)} s`,
        fix: 'Whatever this probe talks to is hanging; check it, then run the doctor again.',
      });
    }, timeoutMs);
  });
  try {
    return await Promise.race([probe.run({ config, signal: abort.signal, shared }), timeout]);
  } catch (error) {
    const { text, reference } = presentError(error, logger, { during: 'in a doctor probe', probe: probe.id });
    return {
      status: 'fail',
      detail: text,
      fix:
        reference === undefined
          ? 'Fix what the line above names, then run the doctor again.'
          : `The probe itself failed; report this as a bug with the log line of reference ${reference}.`,
    };
  } finally {
    clearTimeout(timer);
  }
}
