import { discordStartupProblem } from '../adapters/discord/startup-problem.js';
import { createAppContext } from '../app/app-context.js';
import { startBot } from '../app/bot.js';
import { type CliModule, EXIT } from './types.js';

export const cli: CliModule = {
  async run(_args, config, io) {
    if (!config?.discord) return EXIT.usage;
    const ctx = createAppContext(config);
    let bot: Awaited<ReturnType<typeof startBot>>;
    try {
      bot = await startBot(ctx, config.discord);
    } catch (error) {
      ctx.close();
      const problem = discordStartupProblem(error);
      if (!problem) throw error;
      io.stderr.write(`${problem.message}\n`);
      return problem.exitCode;
    }
    ctx.logger.info('plex-warden is running', { schedule: config.core.scanSchedule });
    // Graceful shutdown: stop scheduling, let the running scan settle (bounded), close the DB.
    return new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        ctx.logger.info('shutting down', { signal });
        const force = setTimeout(() => {
          ctx.logger.warn('shutdown took too long; exiting');
          ctx.close();
          resolve(EXIT.ok);
        }, 8_000);
        void bot
          .stop()
          .catch((error: unknown) => ctx.logger.error('error while stopping', { error }))
          .finally(() => {
            clearTimeout(force);
            ctx.close();
            resolve(EXIT.ok);
          });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  },
};
