import { cliCommands } from './index.js';
import { type CliCommand, type CliIo, EXIT } from './types.js';

function usage(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: plex-warden <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment and ./.env (see .env.example).',
    'Exit codes: 0 ok, 1 findings at medium or above (scan/review), 2 bad configuration or usage, 3 unexpected error.',
  ].join('\n');
}

/** `commands` is the registry; tests hand in their own to reach the error boundary. */
export async function main(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = cliCommands,
): Promise<number> {
  const [name = 'bot', ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage(commands)}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage(commands)}\n`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`Usage: ${command.usage}\n${command.summary}\n`);
    return EXIT.ok;
  }
  // Loaded only past --help: configuration, errors and the logger (winston) cost start-up time.
  const { ConfigError, loadConfig, readEnvironment } = await import('../config/index.js');
  const { presentError, UserError } = await import('../kernel/errors.js');
  const { DatabaseError } = await import('../adapters/sqlite/database-error.js');
  let config: ReturnType<typeof loadConfig> | undefined;
  const env = readEnvironment(io.env);
  try {
    if (command.config !== 'none') config = loadConfig(env, { requireDiscord: command.config === 'discord' });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\nSee .env.example for every setting and what it expects.\n`);
      return EXIT.usage;
    }
    throw error;
  }
  try {
    const { cli } = await command.load();
    return await cli.run(args, config, io);
  } catch (error) {
    const { createLogger, Redactor } = await import('../kernel/logger.js');
    const secrets = [config?.discord?.token, config?.plex.token];
    const redactor = new Redactor(secrets);
    if (isUnknownOption(error)) {
      io.stderr.write(`${redactor.text(error.message)}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    // The full error of an unexpected failure is logged to stderr under the printed reference.
    const logger = createLogger({
      level: config?.core.logLevel ?? 'info',
      format: config?.core.logFormat ?? 'auto',
      secrets,
      stream: io.stderr,
    });
    const { text, reference } = presentError(error, logger, {
      during: `in plex-warden ${name}`,
      command: name,
    });
    if (reference !== undefined) {
      io.stderr.write(`plex-warden ${name} failed: ${text}\n`);
      return EXIT.failure;
    }
    // Not a usage mistake: say what is wrong with the file, without a usage line.
    if (error instanceof DatabaseError) {
      io.stderr.write(`${redactor.text(text)}\n`);
      return EXIT.usage;
    }
    if (error instanceof UserError) {
      io.stderr.write(`${redactor.text(text)}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    // A service (Plex, plex.tv, the router, the firewall) failed: its own words, no usage line.
    io.stderr.write(`plex-warden ${name} failed: ${redactor.text(text)}\n`);
    return EXIT.failure;
  }
}

/** node:util parseArgs refusing an option: a usage mistake, though not one of our errors. */
function isUnknownOption(error: unknown): error is TypeError {
  return error instanceof TypeError && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
}
