import { parseArgs } from 'node:util';
import { createAppContext } from '../app/app-context.js';
import { UserError } from '../kernel/errors.js';
import { gatherWhois, parseWhoisAddress } from '../report/whois-data.js';
import { whoisSections } from '../report/whois-sections.js';
import { type CliModule, EXIT } from './types.js';

/** Bound on the outside calls (Plex sessions, InternetDB) of one answer. */
const OUTSIDE_MS = 10_000;

/** Everything the bot knows about one address, without Discord: the same answer as /whois, uncut. */
export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const [text, ...rest] = positionals;
    if (text === undefined || rest.length > 0) throw new UserError('Usage: plex-warden whois IP');
    const parsed = parseWhoisAddress(text);
    const ctx = createAppContext(config);
    try {
      const whois = await gatherWhois(ctx, parsed, AbortSignal.timeout(OUTSIDE_MS));
      if (values.json) {
        io.stdout.write(`${JSON.stringify(whois, null, 2)}\n`);
        return EXIT.ok;
      }
      const lines = [whois.label];
      for (const section of whoisSections(whois)) {
        lines.push(`${section.title}:`, ...section.lines.map((l) => `  ${l}`));
      }
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    } finally {
      ctx.close();
    }
  },
};
