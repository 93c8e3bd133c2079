import { appendFileSync, writeFileSync } from 'node:fs';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { openTestDatabase } from './log-db.js';
import { runReviewChild } from './review-child-runner.js';

export interface KilledRotationRounds {
  /** Passes that were SIGKILLed (the test expects some). */
  readonly kills: number;
  /** Failures written per address. */
  readonly truth: Record<string, number>;
  /** Failures the database counted per address after a last, uninterrupted pass. */
  readonly counted: Record<string, number>;
}

/**
 * The kill -9 rotation scenario shared by the rotation tests: a 20,000-line nginx log, then four
 * rounds of a review child SIGKILLed at a seeded random moment, 3,000 lines, a rotation, 3,000
 * lines, a rotation, 500 lines; then one pass to the end. Lines go to seeded random addresses of
 * 198.51.100.0/24 so the exact count per address can be compared. `kill: false` (NOKILL=1 when
 * debugging) lets every child finish.
 */
export async function killedRotationRounds(o: {
  readonly file: string;
  readonly dbPath: string;
  readonly seed: number;
  /** One failed-login line for `ip`. */
  readonly line: (ip: string) => string;
  /** One logrotate run; `round` lets a test vary it (compress, delaycompress). */
  readonly rotate: (round: number) => void;
  readonly kill?: boolean;
}): Promise<KilledRotationRounds> {
  let seed = o.seed;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const truth: Record<string, number> = {};
  const batch = (n: number) => {
    let text = '';
    for (let i = 0; i < n; i++) {
      const ip = `198.51.100.${Math.floor(random() * 200) + 1}`;
      truth[ip] = (truth[ip] ?? 0) + 1;
      text += o.line(ip);
    }
    return text;
  };
  writeFileSync(o.file, batch(20_000));
  let kills = 0;
  for (let round = 0; round < 4; round++) {
    const killAfter = o.kill === false ? null : 200 + Math.floor(random() * 500);
    if ((await runReviewChild(o.file, o.dbPath, killAfter)) === 'killed') kills++;
    appendFileSync(o.file, batch(3_000));
    o.rotate(round);
    appendFileSync(o.file, batch(3_000));
    o.rotate(round);
    appendFileSync(o.file, batch(500));
  }
  if ((await runReviewChild(o.file, o.dbPath, null)) !== 'done')
    throw new Error('the last pass did not finish');
  const check = openTestDatabase(o.dbPath);
  try {
    const counted = Object.fromEntries(
      new LogReviewRepository(check).counts('nginx').map((c) => [c.ip, c.failures]),
    );
    return { kills, truth, counted };
  } finally {
    check.close();
  }
}
