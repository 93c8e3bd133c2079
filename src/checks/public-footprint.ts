/**
 * public-footprint — what a public scan index (Shodan InternetDB) has recorded about the home's
 * public IP: open ports, hostnames, tags and vulnerability leads.
 *
 * Why it matters: it is the outside view nobody in the house has — probing your own public IP
 * from inside is unreliable (NAT loopback). A port listed there was open when the crawler came.
 * Limits: InternetDB has no crawl date (results may be weeks old), is IPv4 only, and a 404 means
 * "never indexed", not "nothing open". Its `vulns` are guesses from software banners: leads,
 * not proof. A carrier-grade NAT address (100.64.0.0/10) means nothing inbound reaches the house.
 * Fix: close the listed ports on the router (forwards and UPnP mappings), then wait for a recrawl.
 */
import * as v from 'valibot';
import type { FindingDraft, Severity } from '../domain/finding.js';
import { lookupInternetDb } from '../exposure/internetdb.js';
import { describePort, isRiskyPort, lookupPort, PLEX_PORT } from '../exposure/port-catalogue.js';
import { resolvePublicIp } from '../exposure/public-ip.js';
import { untrustedText } from '../kernel/untrusted-text.js';
import { parseIp } from '../net/ip.js';
import { specialRangeOf } from '../net/special-ranges.js';
import { type Check, CheckError, CheckSkipped } from './types.js';

const NO_DATE = 'InternetDB (no crawl date)';

export const publicFootprint: Check = {
  id: 'public-footprint',
  title: "The public IP's footprint in a public scan index",
  async run(ctx) {
    const found = await resolvePublicIp(ctx);
    if (!found && ctx.state.get('lastIp', v.string()) !== undefined) {
      // The IP came from Plex and Plex is away this time: keep what was found open.
      throw new CheckSkipped('the public IP is unknown this time (Plex not answering?)');
    }
    if (!found) {
      return [
        {
          key: 'no-public-ip',
          severity: 'info',
          title: 'The public IP is not known, so the outside view was not looked up',
          evidence: 'PUBLIC_IP is not set and Plex did not report a publicAddress',
          fix: 'Set PUBLIC_IP to the address your router shows as its WAN/internet address.',
        },
      ];
    }
    const { ip, source } = found;
    ctx.state.set('lastIp', ip);
    const from = `${ip} (from ${source})`;
    const special = specialRangeOf(ip);
    if (special?.code === 'cgnat') {
      return [
        {
          key: 'cgnat',
          severity: 'info',
          title: 'The internet connection is behind carrier-grade NAT',
          evidence: `${from} is in 100.64.0.0/10: the provider shares one public address between customers, so nothing inbound reaches the house`,
          fix: 'Nothing to fix: port forwards and Remote Access cannot work; the relay is what remote clients use.',
        },
      ];
    }
    if (special) {
      return [
        {
          key: 'private-wan',
          severity: 'info',
          title: 'The known "public" address is a private one',
          evidence: `${from} is not a public internet address: another router sits in front of yours (double NAT), or the source is wrong`,
          fix: 'Set PUBLIC_IP to the address the internet sees (the outer router or provider box shows it).',
        },
      ];
    }
    if (parseIp(ip)?.kind() === 'ipv6') {
      return [
        {
          key: 'ipv6-only',
          severity: 'info',
          title: 'InternetDB covers IPv4 only',
          evidence: `${from} is IPv6; InternetDB has no data for it`,
          fix: 'Set PUBLIC_IP to the IPv4 address of the connection, if there is one.',
        },
      ];
    }

    const result = await lookupInternetDb(ctx, ip);
    if (result.kind === 'rate-limited')
      throw new CheckError('InternetDB answered 429 (rate limited); the next scan tries again');
    if (result.kind === 'error') throw new CheckError(result.message);
    if (result.kind === 'not-indexed') {
      return [
        {
          key: 'not-indexed',
          severity: 'info',
          title: 'InternetDB has never indexed the public IP',
          evidence: `${NO_DATE}: 404 for ${from}. Never indexed is not the same as nothing open`,
          fix: 'Nothing to do; router-upnp and plex-remote-access tell what is actually forwarded.',
        },
      ];
    }

    const findings: FindingDraft[] = [];
    const { ports, hostnames, tags, vulns } = result;
    if (ports.length > 0) {
      // InternetDB lists port numbers only: any protocol of a catalogued port counts.
      const risky = ports.filter((p) => isRiskyPort(lookupPort(p)));
      const severity: Severity = risky.length > 0 ? 'high' : ports.includes(PLEX_PORT) ? 'medium' : 'low';
      const extra = [
        hostnames.length > 0
          ? `hostnames ${hostnames
              .slice(0, 5)
              .map((h) => untrustedText(h, 60))
              .join(', ')}`
          : '',
        tags.length > 0
          ? `tags ${tags
              .slice(0, 5)
              .map((t) => untrustedText(t, 30))
              .join(', ')}`
          : '',
      ].filter(Boolean);
      findings.push({
        key: 'open-ports',
        severity,
        title:
          severity === 'high'
            ? 'The public IP is indexed with ports that should never face the internet'
            : 'The public IP is indexed with open ports',
        evidence: `${NO_DATE} lists ${from} with ports ${ports.map((p) => describePort(p)).join(', ')}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`,
        fix:
          risky.length > 0
            ? `Remove the router forwards / UPnP mappings for ${[...risky].sort((a, b) => a - b).join(', ')}; only 32400/tcp (Plex) should ever be forwarded.`
            : 'Check that every listed port is forwarded on purpose; close the others on the router.',
      });
    }
    if (vulns.length > 0) {
      const shown = vulns.slice(0, 10).map((v) => untrustedText(v, 30));
      findings.push({
        key: 'vulns',
        severity: 'medium',
        title: 'InternetDB lists vulnerability leads for the public IP',
        evidence: `${NO_DATE} associates ${from} with ${shown.join(', ')}${vulns.length > 10 ? ` and ${vulns.length - 10} more` : ''}; these are guesses from banners, not confirmed`,
        fix: 'Find which device answers on the listed ports and update it; close the port if it need not be public.',
      });
    }
    if (findings.length === 0) {
      findings.push({
        key: 'indexed-empty',
        severity: 'info',
        title: 'InternetDB knows the public IP but lists no open ports',
        evidence: `${NO_DATE}: ${from}, no ports`,
        fix: 'Nothing to do.',
      });
    }
    return findings;
  },
};
