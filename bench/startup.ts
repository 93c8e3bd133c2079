/**
 * Start-up and whole-process speed, each next to its peer in the same run, A/B alternated
 * (these machines are noisy: quote the ratios):
 *   - `plex-warden --help` vs `node -e 0` (bare Node);
 *   - `replay` of a one-line file vs `node -e 0`: what start-up costs above bare Node;
 *   - `replay` of 1M nginx lines vs `fail2ban-regex` (same filter as the log-review bench) and
 *     vs `grep -c`, whole processes;
 *   - `scan` against a closed Plex port (every check bounded) vs `node -e 0`.
 * The build under test is bundled into bench/.work/startup/dist as `npm run build` does
 * (scripts/build.ts); STARTUP_DIST=DIR measures the build in DIR instead (an A/B against another).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { F2B_FILTERS, GREP, generateNginx, median } from './log-review.js';

const WORK = resolve('bench/.work/startup');
const DIST = process.env.STARTUP_DIST ? resolve(process.env.STARTUP_DIST) : join(WORK, 'dist');

interface Run {
  readonly ms: number;
  readonly status: number | null;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Run {
  const t0 = performance.now();
  // stdout is read, not /dev/null: GNU grep stops at the first match when it sees /dev/null.
  const r = spawnSync(cmd, args, {
    env,
    cwd: WORK,
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  // grep -c exits 1 when nothing matched, scan 1 on findings; anything else is a broken run.
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return { ms, status: r.status };
}

/** Runs a and b alternately, `rounds` times each, and returns both medians. */
function ab(rounds: number, a: () => Run, b: () => Run): { a: number; b: number } {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(a().ms);
    bs.push(b().ms);
  }
  return { a: median(as), b: median(bs) };
}

const ms = (n: number) => `${Math.round(n)} ms`;

export default async function startupBench(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (process.env.STARTUP_DIST) console.log(`measuring the build in ${DIST}`);
  else {
    console.log('building (scripts/build.ts -> bench/.work/startup/dist) ...');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--outdir', DIST], {
      stdio: 'inherit',
    });
  }
  if (!existsSync(join(WORK, 'node_modules'))) {
    execFileSync('ln', ['-s', resolve('node_modules'), join(WORK, 'node_modules')]);
  }
  const cli = join(DIST, 'cli.js');
  const node = process.execPath;
  const bare = () => run(node, ['-e', '0']);
  // Every outside endpoint points at a closed loopback port and discovery is off (no SSDP, no
  // NAT-PMP): nothing leaves 127.0.0.1. The working directory has no .env.
  const closed = 'http://127.0.0.1:9';
  const env = {
    PATH: process.env.PATH,
    PLEX_URL: closed,
    PLEX_TV_URL: closed,
    INTERNETDB_URL: closed,
    DISCORD_API_URL: closed,
    ROUTER_DISCOVERY: 'off',
    NATPMP_GATEWAY: 'off',
    DATABASE_PATH: join(WORK, 'scan.sqlite'),
    LOG_LEVEL: 'error',
  };
  const one = join(WORK, 'one.log');
  writeFileSync(one, '198.51.100.7 - - [29/May/2017:19:02:48 +0000] "GET / HTTP/1.1" 404 612 "-" "x"\n');
  const rows: Record<string, string>[] = [];
  const row = (what: string, ours: number, peer: string, theirs: number, target: string) =>
    rows.push({
      what,
      ours: ms(ours),
      peer,
      'peer time': ms(theirs),
      ratio: `${(ours / theirs).toFixed(2)}x`,
      target,
    });

  const help = ab(9, () => run(node, [cli, '--help']), bare);
  row('plex-warden --help', help.a, 'node -e 0', help.b, '≤ 2x');
  const replayOne = ab(9, () => run(node, [cli, 'replay', one, '--kind', 'nginx'], env), bare);
  row(
    'replay (1 line): start-up',
    replayOne.a,
    'node -e 0',
    replayOne.b,
    `≤ +60 ms (is +${Math.round(replayOne.a - replayOne.b)})`,
  );
  rmSync(env.DATABASE_PATH, { force: true });
  const scan = ab(5, () => run(node, [cli, 'scan', '--json'], env), bare);
  row('scan (Plex closed, router off)', scan.a, 'node -e 0', scan.b, '—');

  const big = join(WORK, 'nginx-1m.log');
  if (!existsSync(big)) {
    console.log('generating 1M nginx lines (seeded) ...');
    generateNginx(big, 1_000_000, 3000, 42);
  }
  const replayBig = () => run(node, [cli, 'replay', big, '--kind', 'nginx'], env);
  const grep = ab(3, replayBig, () => run('grep', ['-c', GREP.nginx, big]));
  row('replay 1M nginx lines', grep.a, 'grep -c', grep.b, '≤ 3x');
  if (spawnSync('which', ['fail2ban-regex']).status === 0) {
    const filter = join(WORK, 'f2b-nginx.conf');
    writeFileSync(filter, F2B_FILTERS.nginx);
    const f2b = ab(1, replayBig, () => run('fail2ban-regex', [big, filter]));
    rows.push({
      what: 'replay 1M nginx lines',
      ours: ms(f2b.a),
      peer: 'fail2ban-regex',
      'peer time': ms(f2b.b),
      ratio: `${(f2b.b / f2b.a).toFixed(1)}x faster`,
      target: '≥ 25x faster',
    });
  } else console.log('fail2ban-regex not installed: that row is skipped');
  console.table(rows);
}
