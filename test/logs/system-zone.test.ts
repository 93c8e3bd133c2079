import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { LogEvent } from '../../src/logs/log-event.js';
import { createParser } from '../../src/logs/parsers/index.js';

/**
 * LOG_TIMEZONE unset means the system zone. Node re-reads the zone when process.env.TZ is set
 * at run time (https://nodejs.org/api/cli.html#tz); each test file runs in its own process.
 */
const LINE = 'Nov 25 19:10:45 nas sshd[1234]: Failed password for root from 203.0.113.7 port 51234 ssh2';
const NOW = Date.UTC(2026, 10, 26);
const saved = process.env.TZ;

function sshdTimeWith(env: Record<string, string>): number {
  const { logs } = loadConfig(env, { requireDiscord: false });
  const parser = createParser('sshd', { timeZone: logs.timeZone, now: () => NOW });
  const ev = new LogEvent();
  expect(parser.parse(LINE, 0, LINE.length, ev)).toBe(true);
  return ev.time;
}

describe('the log zone when LOG_TIMEZONE is unset', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('is the system zone, as TZ sets it', () => {
    process.env.TZ = 'America/New_York';
    // 19:10:45 EST (UTC-5) on 25 November.
    expect(new Date(sshdTimeWith({})).toISOString()).toBe('2026-11-26T00:10:45.000Z');
  });

  it('is the configured zone when set, whatever TZ says', () => {
    process.env.TZ = 'America/New_York';
    expect(new Date(sshdTimeWith({ LOG_TIMEZONE: 'Europe/Berlin' })).toISOString()).toBe(
      '2026-11-25T18:10:45.000Z',
    );
  });

  it('is UTC for an empty TZ, as for the C library (ICU calls that zone Etc/Unknown)', () => {
    process.env.TZ = '';
    expect(new Date(sshdTimeWith({})).toISOString()).toBe('2026-11-25T19:10:45.000Z');
  });

  it('is looked up only once a line needs local time (Intl loads ICU data, a cost at start)', () => {
    const intl = vi.spyOn(Intl, 'DateTimeFormat');
    const { logs } = loadConfig({ LOG_SOURCES: 'sshd:/var/log/auth.log' }, { requireDiscord: false });
    const parser = createParser('sshd', { timeZone: logs.timeZone, now: () => NOW });
    const nginx = createParser('nginx', { timeZone: logs.timeZone, now: () => NOW });
    const clf = '203.0.113.7 - - [25/Nov/2026:19:10:45 +0000] "GET / HTTP/1.1" 404 0 "-" "-"';
    expect(nginx.parse(clf, 0, clf.length, new LogEvent())).toBe(true);
    expect(intl).not.toHaveBeenCalled();
    expect(parser.parse(LINE, 0, LINE.length, new LogEvent())).toBe(true);
    expect(intl).toHaveBeenCalled();
  });
});
