import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_SOURCE_KINDS, type LogSourceKind } from '../../src/config/logs.js';
import {
  EV_BAD_TOKEN,
  EV_CLIENT_ERROR,
  EV_FAILURE,
  EV_OWNER,
  EV_ROUTINE,
  EV_SUCCESS,
  LogEvent,
} from '../../src/logs/log-event.js';
import { createParser, parsers } from '../../src/logs/parsers/index.js';
import type { ParserOptions } from '../../src/logs/parsers/types.js';
import { CidrSet, normalizeIp } from '../../src/net/ip.js';

const DIR = join(import.meta.dirname, '../fixtures/logs');
const FLAGS: Record<string, number> = {
  failure: EV_FAILURE,
  'client-error': EV_CLIENT_ERROR,
  success: EV_SUCCESS,
  'bad-token': EV_BAD_TOKEN,
  owner: EV_OWNER,
  routine: EV_ROUTINE,
};

interface Sample {
  readonly lineNo: number;
  readonly text: string;
  readonly expect: string;
}

/** Reads a fixture as the engine does (latin1, one char per byte) and pairs samples with expectations. */
function readFixture(file: string): { timeZone: string; options: Partial<ParserOptions>; samples: Sample[] } {
  const text = readFileSync(join(DIR, file)).toString('latin1');
  const lines = text.split('\n');
  let timeZone = 'UTC';
  const options: { plexOwner?: string; trustedProxies?: CidrSet } = {};
  const samples: Sample[] = [];
  let pending: string | undefined;
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const tz = /^# timezone: (\S+)/.exec(line);
    if (tz) timeZone = tz[1] as string;
    const owner = /^# plex-owner: (\S+)/.exec(line);
    if (owner) options.plexOwner = owner[1] as string;
    const proxies = /^# trusted-proxies: (.+)$/.exec(line);
    if (proxies) options.trustedProxies = CidrSet.parse((proxies[1] as string).split(','));
    const exp = /^# expect: (.*)$/.exec(line);
    if (exp) {
      pending = (exp[1] as string).trim();
      return;
    }
    if (line.startsWith('#') || line === '') return;
    if (pending === undefined) throw new Error(`${file}:${i + 1}: sample without # expect:`);
    samples.push({ lineNo: i + 1, text: line, expect: pending });
    pending = undefined;
  });
  return { timeZone, options, samples };
}

function describeEvent(ok: boolean, ev: LogEvent): string {
  if (!ok) return 'skipped';
  if (ev.flags === 0) return 'none';
  const names = Object.entries(FLAGS)
    .filter(([, bit]) => (ev.flags & bit) !== 0)
    .map(([name]) => name);
  // Addresses are compared in canonical form, as the engine classifies them.
  return `${names.join(',')} ${normalizeIp(ev.ip) ?? `invalid:${ev.ip}`}`;
}

const FILES: Record<string, LogSourceKind> = {
  'nginx.log': 'nginx',
  'nginx-vhost.log': 'nginx-vhost',
  'plex.log': 'plex',
  'plex-1.43.log': 'plex',
  'sshd.log': 'sshd',
  'caddy.log': 'caddy',
  'npm.log': 'npm',
  'npmplus.log': 'npmplus',
  'nginx-error.log': 'nginx-error',
  'traefik.json.log': 'traefik-json',
};
/** Fixtures of bare journald MESSAGE fields (`[PID] MESSAGE`), read through parseMessage. */
const JOURNAL_FILES: Record<string, LogSourceKind> = { 'sshd-journal.log': 'sshd' };
const JOURNAL_TIME = Date.UTC(2026, 10, 25, 19, 10, 45);

/** Lines matched per pattern of each parser over all its fixtures (filled as the tests run). */
const covered = new Map<string, Uint32Array>();
function addHits(kind: LogSourceKind, hits: Uint32Array): void {
  const id = parsers.find((p) => (p.kinds as readonly string[]).includes(kind))?.id ?? kind;
  const sum = covered.get(id) ?? new Uint32Array(hits.length);
  for (let i = 0; i < hits.length; i++) sum[i] = (sum[i] as number) + (hits[i] as number);
  covered.set(id, sum);
}

/**
 * fail2ban's rule (fail2ban/tests/samplestestcase.py, "Regex has no samples"): a pattern that
 * no annotated sample exercises is untested, so it fails the suite.
 */
function patternsWithoutSamples(
  definitions: readonly { id: string; patterns: readonly string[] }[],
  hits: ReadonlyMap<string, Uint32Array>,
): string[] {
  const missing: string[] = [];
  for (const p of definitions) {
    const h = hits.get(p.id);
    p.patterns.forEach((name, i) => {
      if (!h || (h[i] ?? 0) === 0) missing.push(`${p.id}: pattern "${name}" has no samples`);
    });
  }
  return missing;
}

describe('annotated sample logs', () => {
  it('has a fixture for every parser and a parser for every kind', () => {
    for (const kind of LOG_SOURCE_KINDS) {
      expect(parsers.filter((p) => (p.kinds as readonly string[]).includes(kind))).toHaveLength(1);
    }
    const files = readdirSync(DIR).filter((f) => f.endsWith('.log'));
    for (const p of parsers)
      expect(files.some((f) => (p.kinds as readonly string[]).includes(FILES[f] ?? ''))).toBe(true);
  });

  for (const [file, kind] of Object.entries(FILES)) {
    it(`${file}: every sample parses as annotated`, () => {
      const { timeZone, options, samples } = readFixture(file);
      expect(samples.length).toBeGreaterThan(3);
      // One parser over the whole file, in order: cross-line memory (Plex, PAM) is part of it.
      const parser = createParser(kind, { ...options, timeZone, now: () => Date.UTC(2026, 10, 26) });
      const ev = new LogEvent();
      for (const sample of samples) {
        ev.reset();
        const ok = parser.parse(sample.text, 0, sample.text.length, ev);
        const [want, ...rest] = sample.expect.split(' time=');
        const got = describeEvent(ok, ev);
        expect(got, `${file}:${sample.lineNo}`).toBe((want as string).trim());
        if (rest.length > 0) {
          expect(new Date(ev.time).toISOString(), `${file}:${sample.lineNo} time`).toBe(rest[0]);
        }
      }
      addHits(kind, parser.hits);
    });
  }

  for (const [file, kind] of Object.entries(JOURNAL_FILES)) {
    it(`${file}: every journald message parses as annotated`, () => {
      const { samples } = readFixture(file);
      const parser = createParser(kind, { timeZone: 'UTC', now: () => Date.UTC(2026, 10, 26) });
      if (!parser.parseMessage) throw new Error(`${kind} has no parseMessage`);
      const ev = new LogEvent();
      for (const sample of samples) {
        const m = /^\[(\d+)\] /.exec(sample.text);
        if (!m) throw new Error(`${file}:${sample.lineNo}: expected [PID] MESSAGE`);
        ev.reset();
        const ok = parser.parseMessage(
          sample.text,
          m[0].length,
          sample.text.length,
          { time: JOURNAL_TIME, pid: m[1] as string },
          ev,
        );
        const [want, ...rest] = sample.expect.split(' time=');
        expect(describeEvent(ok, ev), `${file}:${sample.lineNo}`).toBe((want as string).trim());
        if (rest.length > 0) expect(new Date(ev.time).toISOString()).toBe(rest[0]);
      }
      addHits(kind, parser.hits);
    });
  }

  it('has an annotated sample for every pattern of every parser', () => {
    expect(patternsWithoutSamples(parsers, covered)).toEqual([]);
  });

  it('the pattern rule fails for a pattern without samples', () => {
    const hits = new Map([['x', Uint32Array.of(3, 0)]]);
    expect(patternsWithoutSamples([{ id: 'x', patterns: ['seen', 'unseen'] }], hits)).toEqual([
      'x: pattern "unseen" has no samples',
    ]);
  });

  it('reads a 1 MB line (one long path) without trouble', () => {
    const path = `/${'a'.repeat(1024 * 1024)}`;
    const line = `203.0.113.7 - - [25/Nov/2026:19:10:45 +0000] "GET ${path} HTTP/1.1" 404 0 "-" "-"`;
    const ev = new LogEvent();
    const ok = createParser('nginx', { timeZone: 'UTC', now: Date.now }).parse(line, 0, line.length, ev);
    expect(describeEvent(ok, ev)).toBe('client-error 203.0.113.7');
    expect(ev.pathEnd - ev.pathStart).toBe(path.length);
  });
});
