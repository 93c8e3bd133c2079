import { parseArgs } from 'node:util';
import { createAppContext } from '../app/app-context.js';
import { UserError } from '../kernel/errors.js';
import { addressLabel } from '../net/address-label.js';
import { cidrContains, normalizeIp, parseCidr, parseIp } from '../net/ip.js';
import { type CliModule, EXIT } from './types.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Everything the database knows about one address, without Discord. */
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
    const ip = normalizeIp(text);
    const parsed = parseIp(text);
    if (!ip || !parsed) throw new UserError(`"${text.slice(0, 60)}" is not an IPv4 or IPv6 address.`);
    const ctx = createAppContext(config);
    try {
      const scope = ctx.scope.classify(parsed);
      const facts = ctx.addressFacts.lookup(ip);
      const now = ctx.clock.now();
      const activeBan = ctx.repos.bans.activeFor(ip);
      const bans = ctx.repos.bans.historyFor(ip);
      const allows = ctx.repos.allowlist.all().filter((e) => {
        const cidr = parseCidr(e.cidr);
        return cidr !== undefined && cidrContains(cidr, parsed);
      });
      const findings = ctx.repos.findings.mentioning(ip);
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ ip, scope, facts: facts ?? null, activeBan: activeBan ?? null, bans, allowlist: allows, findings: findings.map((f) => ({ fingerprint: f.fingerprint, status: f.status, severity: f.severity, title: f.title, lastSeenAt: f.lastSeenAt })) }, null, 2)}\n`,
        );
        return EXIT.ok;
      }
      const lines = [
        addressLabel(ip, ctx.addressFacts),
        `Scope: ${scope.kind} (${scope.reason})`,
        `Network: ${facts ? `AS${facts.asn} ${facts.asName}, country ${facts.country}` : 'unknown'}`,
        `Banned now: ${activeBan ? `yes, until ${iso(activeBan.expiresAt)} (${activeBan.reason})` : 'no'}`,
        `Bans (${bans.length}):`,
        ...bans.map(
          (b) =>
            `  #${b.id} ${iso(b.createdAt)} → ${b.removedAt ? `${b.removedWhy ?? 'removed'} ${iso(b.removedAt)}` : `until ${iso(b.expiresAt)}`}: ${b.reason}`,
        ),
        `Allow-list entries (${allows.length}):`,
        ...allows.map(
          (e) =>
            `  ${e.cidr}${e.expiresAt && e.expiresAt > now ? ` until ${iso(e.expiresAt)}` : ''}: ${e.note}`,
        ),
        `Findings (${findings.length}):`,
        ...findings.map((f) => `  [${f.status}] ${f.severity} ${f.title} (last ${iso(f.lastSeenAt)})`),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    } finally {
      ctx.close();
    }
  },
};
