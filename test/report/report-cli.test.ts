import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/sqlite/index.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/report/report-chart.js';
import { runCliSync } from '../harness/cli-runner.js';
import { pngSize } from '../harness/png-size.js';
import { seedReportDatabase } from '../harness/report-seed.js';
import { tempDir, testEnv } from '../harness/test-env.js';

describe('plex-warden report (the real CLI in a child process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = tempDir();
    const databasePath = join(dir.path, 'db.sqlite');
    const store = openStore(databasePath);
    seedReportDatabase(store.repos, Date.now());
    store.close();
    // Plex is never contacted: the report reads the database only (port 9 answers nothing).
    env = testEnv({ databasePath, plexUrl: 'http://127.0.0.1:9' }) as Record<string, string>;
  });
  afterEach(() => dir.remove());

  it('writes the PNG and prints the grade; --json gives the numbers it drew', () => {
    const out = join(dir.path, 'week.png');
    const text = runCliSync(['report', '--out', out, '--days', '7'], env, dir.path);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^Exposure grade B \(1 medium open\)\. Wrote .*week\.png \(\d+ bytes, 7 days\)\.\n$/,
    );
    expect(pngSize(readFileSync(out))).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    const json = runCliSync(['report', '--out', out, '--days', '3', '--json'], env, dir.path);
    const data = JSON.parse(json.stdout) as { days: string[]; grade: { letter: string } };
    expect(data.days).toHaveLength(3);
    expect(data.grade.letter).toBe('B');
  });

  it('refuses a missing --out and --days outside 1..31 with exit 2', () => {
    expect(runCliSync(['report'], env, dir.path)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--out/),
    });
    const far = runCliSync(['report', '--out', join(dir.path, 'x.png'), '--days', '32'], env, dir.path);
    expect(far).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--days must be a whole number from 1 to 31/),
    });
  });
});
