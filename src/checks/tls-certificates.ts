/**
 * tls-certificates — the certificates of the household's https endpoints (a reverse proxy in
 * front of Plex or Tautulli, a NAS, Plex with a custom certificate).
 *
 * Why it matters: an expired or mismatched certificate trains the family to click through
 * warnings — exactly what a man-in-the-middle needs — and breaks apps that verify properly.
 * Steps: expiring within 21 days (low), 14 (medium), 7 (high); expired (high); name mismatch
 * (high); self-signed or otherwise untrusted (medium). Evidence only changes at a step, so one
 * certificate does not alert every day.
 * False positives: a private CA the bot does not know (add it with TLS_CA_FILE).
 * Fix: renew (certbot renew / your proxy's ACME), and use a certificate for the name people type.
 */

import { readFile } from 'node:fs/promises';
import { checkServerIdentity, connect, type PeerCertificate, rootCertificates } from 'node:tls';
import * as v from 'valibot';
import type { TlsEndpoint } from '../config/exposure.js';
import { type FindingDraft, FindingDraftSchema } from '../domain/finding.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import { parseIp } from '../net/ip.js';
import { type Check, type CheckContext, CheckError } from './types.js';

const DAY_MS = 86_400_000;
/** Warning steps, most urgent first. */
const STEPS = [
  { days: 7, severity: 'high' },
  { days: 14, severity: 'medium' },
  { days: 21, severity: 'low' },
] as const satisfies readonly { days: number; severity: FindingDraft['severity'] }[];

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
/** Judged below with their own findings: dates against the bot's clock, the name by checkServerIdentity. */
const JUDGED_ELSEWHERE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

interface Handshake {
  readonly cert: PeerCertificate;
  readonly authorizationError: string | undefined;
}

function handshake(endpoint: TlsEndpoint, ca: string[], timeoutMs: number, signal: AbortSignal) {
  return new Promise<Handshake>((resolve, reject) => {
    const isIp = parseIp(endpoint.host) !== undefined;
    // Verification is done by hand below so every problem can be named, not just the first.
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ...(isIp ? {} : { servername: endpoint.host }),
      ca,
      rejectUnauthorized: false,
    });
    const done = (error: Error | undefined, value?: Handshake) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else if (value) resolve(value);
    };
    const onAbort = () => done(new Error('stopped'));
    const timer = setTimeout(() => done(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      if (!cert || Object.keys(cert).length === 0) {
        done(new Error('the server sent no certificate'));
        return;
      }
      const reason = socket.authorizationError as unknown;
      const code =
        reason instanceof Error
          ? ((reason as { code?: string }).code ?? reason.message)
          : (reason as string | undefined);
      done(undefined, { cert, authorizationError: code ?? undefined });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(new Error(`connection failed (${error.code ?? error.message.slice(0, 60)})`)),
    );
  });
}

function subjectOf(cert: PeerCertificate): string {
  const cn = cert.subject?.CN;
  const issuer = cert.issuer?.CN ?? cert.issuer?.O;
  return `CN=${untrustedText(Array.isArray(cn) ? cn[0] : cn, 60)}, issuer ${untrustedText(Array.isArray(issuer) ? issuer[0] : issuer, 60)}`;
}

export function judgeCertificate(
  endpoint: TlsEndpoint,
  { cert, authorizationError }: Handshake,
  now: number,
): FindingDraft[] {
  const findings: FindingDraft[] = [];
  const label = endpoint.label;
  const key = keyPart(label);
  const who = `${label} (${subjectOf(cert)})`;
  const validTo = Date.parse(cert.valid_to);
  const validFrom = Date.parse(cert.valid_from);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (Number.isFinite(validTo) && validTo <= now) {
    findings.push({
      key: `expired:${key}`,
      severity: 'high',
      title: `The certificate of ${label} has expired`,
      evidence: `${who} expired on ${day(validTo)}`,
      fix: 'Renew it now (certbot renew, or your reverse proxy / NAS certificate page) and reload the service.',
    });
  } else if (Number.isFinite(validFrom) && validFrom > now) {
    findings.push({
      key: `not-yet-valid:${key}`,
      severity: 'medium',
      title: `The certificate of ${label} is not valid yet`,
      evidence: `${who} is valid from ${day(validFrom)}`,
      fix: "Check the server's clock and the certificate dates.",
    });
  } else if (Number.isFinite(validTo)) {
    const daysLeft = (validTo - now) / DAY_MS;
    const step = STEPS.find((s) => daysLeft <= s.days);
    if (step) {
      findings.push({
        key: `expiring:${key}`,
        severity: step.severity,
        title: `The certificate of ${label} expires within ${step.days} days`,
        evidence: `${who} expires on ${day(validTo)} (within ${step.days} days)`,
        fix: 'Renew it (certbot renew, or your reverse proxy / NAS certificate page); check that automatic renewal runs.',
      });
    }
  }
  const mismatch = checkServerIdentity(endpoint.host, cert);
  if (mismatch) {
    const names = (cert.subjectaltname ?? '').slice(0, 200) || 'no subjectAltName';
    findings.push({
      key: `hostname:${key}`,
      severity: 'high',
      title: `The certificate of ${label} is for another name`,
      evidence: `${who} does not cover ${untrustedText(endpoint.host)}; it names ${untrustedText(names, 200)}`,
      fix: `Issue a certificate that includes ${untrustedText(endpoint.host)}, or point TLS_ENDPOINTS at the name people actually use.`,
    });
  }
  if (authorizationError && !JUDGED_ELSEWHERE.has(authorizationError)) {
    const selfSigned = SELF_SIGNED.has(authorizationError);
    findings.push({
      key: `${selfSigned ? 'self-signed' : 'untrusted'}:${key}`,
      severity: 'medium',
      title: selfSigned
        ? `The certificate of ${label} is self-signed`
        : `The certificate of ${label} is not trusted`,
      evidence: `${who}: ${authorizationError.replace(/[^A-Z0-9_]/gi, '').slice(0, 60)}`,
      fix: selfSigned
        ? "Use a certificate from a public CA (Let's Encrypt via your reverse proxy), or add your own CA with TLS_CA_FILE if this is intended."
        : 'Serve the full chain (leaf + intermediates) from a trusted CA, or add your private CA with TLS_CA_FILE.',
    });
  }
  return findings;
}

async function trustedCas(ctx: CheckContext): Promise<string[]> {
  const file = ctx.config.exposure.tlsCaFile;
  if (!file) return [...rootCertificates];
  try {
    return [...rootCertificates, await readFile(file, 'utf8')];
  } catch {
    throw new CheckError(`TLS_CA_FILE ${file} cannot be read`);
  }
}

export const tlsCertificates: Check = {
  id: 'tls-certificates',
  title: 'TLS certificates of the configured https endpoints',
  async run(ctx) {
    const { tlsEndpoints, outsideTimeoutMs } = ctx.config.exposure;
    if (tlsEndpoints.length === 0) return [];
    const ca = await trustedCas(ctx);
    const now = ctx.clock.now();
    const last = ctx.state.get('last', v.record(v.string(), v.array(FindingDraftSchema))) ?? {};
    const next: Record<string, FindingDraft[]> = {};
    const results = await Promise.all(
      tlsEndpoints.map(async (endpoint): Promise<FindingDraft[]> => {
        try {
          const found = judgeCertificate(
            endpoint,
            await handshake(endpoint, ca, outsideTimeoutMs, ctx.signal),
            now,
          );
          next[endpoint.label] = found;
          return found;
        } catch (error) {
          // Unknown is not fixed: what the certificate had last time stays reported.
          const previous = last[endpoint.label] ?? [];
          next[endpoint.label] = previous;
          return [
            ...previous,
            {
              key: `unreachable:${keyPart(endpoint.label)}`,
              severity: 'low',
              title: `No TLS answer from ${endpoint.label}`,
              evidence: `${endpoint.label}: ${(error as Error).message}`,
              fix: 'Check that the service runs and that TLS_ENDPOINTS names the right host and port.',
            },
          ];
        }
      }),
    );
    ctx.state.set('last', next);
    return results.flat();
  },
};
