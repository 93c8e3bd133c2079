import { DatabaseError } from '../adapters/sqlite/database.js';
import { ConfigError, loadConfig, readEnvironment } from '../config/index.js';
import { errorReference, UserError } from '../kernel/errors.js';
import { Redactor } from '../kernel/logger.js';
import { cliCommands } from './index.js';
import { type CliIo, EXIT } from './types.js';

function usage(): string {
  const width = Math.max(...cliCommands.map((c) => c.name.length));
  return [
    'Usage: plex-warden <command> [options]',
    '',
    'Commands:',
    ...cliCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment and ./.env (see .env.example).',
    'Exit codes: 0 ok, 1 findings at medium or above (scan/review), 2 bad configuration or usage, 3 unexpected error.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name = 'bot', ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return EXIT.ok;
  }
  const command = cliCommands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`Usage: ${command.usage}\n${command.summary}\n`);
    return EXIT.ok;
  }
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
    return await command.run(args, config, io);
  } catch (error) {
    const redactor = new Redactor([config?.discord?.token, config?.plex.token]);
    // Not a usage mistake: say what is wrong with the file, without a usage line or a stack.
    if (error instanceof DatabaseError) {
      io.stderr.write(`${redactor.text(error.message)}\n`);
      return EXIT.usage;
    }
    if (
      error instanceof UserError ||
      (error instanceof TypeError && (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    ) {
      io.stderr.write(`${redactor.text(error.message)}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    const ref = errorReference();
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `plex-warden ${name} failed unexpectedly (reference ${ref}):\n${redactor.text(detail)}\n`,
    );
    return EXIT.failure;
  }
}
