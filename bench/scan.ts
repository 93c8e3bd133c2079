/**
 * Wall time of a full exposure scan (every registered check) against loopback fakes: Plex,
 * plex.tv, InternetDB and a household TCP service. Peer: the same checks run one at a time, each
 * in its own scan (no parallelism, no per-scan sharing) — what a set of cron'd scripts does.
 * Then the same scan with one endpoint hanging: bounded by that endpoint's timeout, not the sum.
 */
import { createServer } from 'node:net';
import { checks } from '../src/checks/index.js';
import { ExposureLab } from '../test/harness/exposure-lab.js';

const RUNS = 20;

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

async function time(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

export default async function main(): Promise<void> {
  const service = createServer((s) => s.end());
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const port = (service.address() as { port: number }).port;
  const lab = await new ExposureLab().start();
  lab.internetDb.answers.set('203.0.113.7', { ports: [port, 32400] });
  const env = {
    PUBLIC_IP: '203.0.113.7',
    EXPOSED_SERVICES: `tautulli=127.0.0.1:${port},ssh=127.0.0.1:1`,
    PLEX_TIMEOUT: '1s',
    OUTSIDE_TIMEOUT: '1s',
    CHECK_TIMEOUT: '5s',
  };
  const rows: { name: string; median: number; p95: number; runs: number }[] = [];
  try {
    const { runner } = lab.open(checks, env);
    await runner.run({ trigger: 'cli' });
    const full = stats(await time(() => runner.run({ trigger: 'cli' }), RUNS));
    rows.push({ name: `full scan, ${checks.length} checks (runner)`, ...full, runs: RUNS });
    const oneByOne = stats(
      await time(async () => {
        for (const check of checks) await runner.run({ trigger: 'cli', checkIds: [check.id] });
      }, RUNS),
    );
    rows.push({ name: 'peer: same checks one scan each, in turn', ...oneByOne, runs: RUNS });

    lab.internetDb.answers.set('203.0.113.7', 'hang');
    const idb = stats(await time(() => runner.run({ trigger: 'cli' }), 3));
    rows.push({ name: 'InternetDB hangs (OUTSIDE_TIMEOUT 1s)', ...idb, runs: 3 });
    lab.internetDb.answers.set('203.0.113.7', { ports: [port] });

    lab.plex.state.mode = 'hang';
    const plexHang = stats(await time(() => runner.run({ trigger: 'cli' }), 3));
    rows.push({ name: 'Plex hangs (PLEX_TIMEOUT 1s)', ...plexHang, runs: 3 });
    const plexHangSeq = stats(
      await time(async () => {
        for (const check of checks) await runner.run({ trigger: 'cli', checkIds: [check.id] });
      }, 1),
    );
    rows.push({ name: 'peer: Plex hangs, one scan each, in turn', ...plexHangSeq, runs: 1 });
  } finally {
    await lab.stop();
    await new Promise<void>((resolve) => service.close(() => resolve()));
  }
  console.table(
    rows.map((r) => ({
      case: r.name,
      runs: r.runs,
      'median ms': r.median.toFixed(1),
      'p95 ms': r.p95.toFixed(1),
    })),
  );
  const [full, peer, , plexHang, plexPeer] = rows;
  if (full && peer)
    console.log(
      `full scan: ${(peer.median / full.median).toFixed(1)}x faster than one-at-a-time; target < 1000 ms: ${full.p95 < 1000 ? 'met' : 'MISSED'}`,
    );
  if (plexHang && plexPeer)
    console.log(
      `Plex hanging: ${(plexPeer.median / plexHang.median).toFixed(1)}x faster than one-at-a-time (bounded by one timeout)`,
    );
}
