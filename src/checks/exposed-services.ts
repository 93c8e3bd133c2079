/**
 * exposed-services — household services that must stay inside (Tautulli, the *arr apps, SSH,
 * the router's admin page), configured in EXPOSED_SERVICES: do they answer on the LAN, and does
 * an outside view (the public scan index, the router's port mappings) show them open? Ports are
 * named from the one port catalogue (exposure/port-catalogue.ts), as router-upnp and
 * public-footprint name them.
 *
 * Why it matters: these apps have weak or no authentication and full access to the house's
 * media and accounts; a forward "just to try something" is how they end up on the internet.
 * False positives: InternetDB only knows port numbers, so a different device answering on the
 * same public port matches too; and its data can be weeks old (no crawl date).
 * Fix: remove the router forward / UPnP mapping; reach the service through a VPN instead.
 */

import { Socket } from 'node:net';
import * as v from 'valibot';
import type { ExposedService } from '../config/exposure.js';
import type { FindingDraft } from '../domain/finding.js';
import { describePort } from '../exposure/port-catalogue.js';
import { type PublicPortView, publicPortSources } from '../exposure/public-ports.js';
import { keyPart } from '../kernel/untrusted-text.js';
import { normalizeIp } from '../net/ip.js';
import { type Check, CheckSkipped } from './types.js';

type Probe = { open: true } | { open: false; reason: string };

/** A plain TCP connect: enough to know something listens; no bytes are sent. */
export function probeTcp(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (result: Probe) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ open: false, reason: 'stopped' });
    const timer = setTimeout(
      () => finish({ open: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ open: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ open: false, reason: error.code ?? 'connection failed' }),
    );
    socket.connect({ host, port });
  });
}

function matches(service: ExposedService, view: PublicPortView): boolean {
  const host = normalizeIp(service.host) ?? service.host;
  return view.ports.some((p) =>
    p.internal
      ? p.internal.port === service.port && (normalizeIp(p.internal.host) ?? p.internal.host) === host
      : p.port === service.port,
  );
}

export const exposedServices: Check = {
  id: 'exposed-services',
  title: 'Household services that must not face the internet',
  async run(ctx) {
    const { exposedServices: services, serviceProbeTimeoutMs } = ctx.config.exposure;
    if (services.length === 0) return [];
    const [probes, views] = await Promise.all([
      Promise.all(services.map((s) => probeTcp(s.host, s.port, serviceProbeTimeoutMs, ctx.signal))),
      Promise.all(
        publicPortSources.map((source) =>
          source.read(ctx).catch((error: unknown) => {
            ctx.logger.debug('public port source failed', { source: source.name, error });
            return undefined;
          }),
        ),
      ),
    ]);
    const known = views.filter((v): v is PublicPortView => v !== undefined);
    if (known.length === 0 && ctx.state.get('hadView', v.boolean())) {
      // Unknown is not fixed: without an outside view this time, earlier "exposed" findings stay
      // open; public-footprint reports why the view is missing.
      throw new CheckSkipped('no outside view this time (reported by public-footprint)');
    }
    if (known.length > 0) ctx.state.set('hadView', true);
    const findings: FindingDraft[] = [];
    services.forEach((service, i) => {
      const probe = probes[i] ?? { open: false, reason: 'not probed' };
      const where = `${service.name}=${service.host}:${service.port}`;
      const lan = probe.open ? 'answers on the LAN' : `does not answer on the LAN now (${probe.reason})`;
      const seenBy = known.filter((view) => matches(service, view));
      if (seenBy.length > 0) {
        findings.push({
          key: `exposed:${keyPart(service.name)}`,
          severity: 'high',
          title: `${service.name} looks reachable from the internet`,
          evidence: `${where} ${lan}; port ${describePort(service.port, 'TCP')} is open from outside according to ${seenBy.map((v) => v.source).join(' and ')}`,
          fix: `Remove the router forward / UPnP mapping of port ${service.port}; use a VPN (WireGuard, Tailscale) to reach ${service.name} from outside.`,
        });
      } else if (!probe.open) {
        findings.push({
          key: `down:${keyPart(service.name)}`,
          severity: 'info',
          title: `${service.name} does not answer on the LAN`,
          evidence: `${where} ${lan}`,
          fix: 'Fix EXPOSED_SERVICES if the address changed; nothing to do if the service is retired.',
        });
      }
    });
    if (known.length === 0) {
      findings.push({
        key: 'no-outside-view',
        severity: 'info',
        title: 'No outside view to match the household services against',
        evidence: `${services.length} service(s) configured; no public IP footprint or router mappings were available this time`,
        fix: 'Set PUBLIC_IP (or let the router check learn it) so the public footprint can be compared.',
      });
    }
    return findings;
  },
};
