import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

/**
 * A fresh Node (luxon keeps the system locale it asked for once): how many Intl.DateTimeFormat
 * objects were made while `first` ran and a cron timer was set, the timer's next fire time, and
 * luxon's default locale afterwards.
 */
function inFreshNode(first: string): { formats: number; next: number; now: number; locale: unknown } {
  const script = `
    let formats = 0;
    const Real = Intl.DateTimeFormat;
    Intl.DateTimeFormat = new Proxy(Real, { construct(t, a, n) { formats += 1; return Reflect.construct(t, a, n); } });
    const { createRequire } = await import('node:module');
    const luxon = createRequire(process.cwd() + '/')('luxon');
    ${first}
    const now = Date.now();
    const { systemTimers } = await import('./src/kernel/system-timers.ts');
    const job = systemTimers.cron('*/15 * * * *', () => {});
    const next = job.next();
    job.cancel();
    console.log(JSON.stringify({ formats, next, now, locale: luxon.Settings.defaultLocale }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

const QUARTER_HOUR = 15 * 60_000;

describe('cron timers and luxon locale', () => {
  it('schedule without making an Intl object, on the same quarter hours', () => {
    const r = inFreshNode('');
    expect(r.formats).toBe(0);
    expect(r.locale).toBe('en-US');
    expect(r.next % QUARTER_HOUR).toBe(0);
    expect(r.next).toBeGreaterThan(r.now);
    expect(r.next - r.now).toBeLessThanOrEqual(QUARTER_HOUR);
  });

  it('the check sees the Intl object luxon makes for the system locale', () => {
    expect(inFreshNode('luxon.DateTime.local();').formats).toBeGreaterThan(0);
  });

  it('keeps a default locale set before', () => {
    const r = inFreshNode(`luxon.Settings.defaultLocale = 'fr-FR';`);
    expect(r.locale).toBe('fr-FR');
    expect(r.next % QUARTER_HOUR).toBe(0);
  });
});
