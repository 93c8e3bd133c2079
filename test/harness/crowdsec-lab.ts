import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsLab } from './netns-lab.js';

/**
 * A real CrowdSec local API (Debian's crowdsec 1.4.6) in a namespace with only loopback, with a
 * private config: its own data dir, database, hub dir and credentials under `dir`, the local
 * API on 127.0.0.1:PORT inside the namespace, no Central API (no `online_client` section),
 * no console, no Prometheus listener, and `cscli: hub_branch: master` so cscli never asks
 * for the latest hub version online. `crowdsec -no-cs` runs the local API alone (no agent,
 * nothing to acquire). Ended by the lab's cleanup (the namespace's processes are killed).
 */
export interface CrowdsecLab {
  readonly ns: string;
  readonly config: string;
  /** argv prefix that runs cscli against this local API. */
  readonly cscli: readonly string[];
  /** Runs cscli here and returns stdout. */
  run(args: readonly string[]): string;
}

const PORT = 18_089;

export async function startCrowdsec(lab: NetnsLab, dir: string): Promise<CrowdsecLab> {
  const ns = lab.namespace('crowdsec');
  for (const sub of ['etc', 'data', 'hub', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  // The package's decision profile (remediation alerts become 4h bans) and simulation file.
  copyFileSync('/etc/crowdsec/profiles.yaml', join(dir, 'etc', 'profiles.yaml'));
  writeFileSync(join(dir, 'etc', 'simulation.yaml'), 'simulation: off\n');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `common:
  daemonize: false
  log_media: file
  log_level: info
  log_dir: ${dir}/log/
  working_dir: .
config_paths:
  config_dir: ${dir}/etc/
  data_dir: ${dir}/data/
  simulation_path: ${dir}/etc/simulation.yaml
  hub_dir: ${dir}/hub/
  index_path: ${dir}/hub/.index.json
  notification_dir: ${dir}/etc/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: ${dir}/etc/acquis.yaml
cscli:
  output: human
  hub_branch: master
db_config:
  log_level: info
  type: sqlite
  db_path: ${dir}/data/crowdsec.db
  use_wal: false
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${dir}/etc/local_api_credentials.yaml
  server:
    log_level: info
    listen_uri: 127.0.0.1:${PORT}
    profiles_path: ${dir}/etc/profiles.yaml
    trusted_ips:
      - 127.0.0.1
      - ::1
prometheus:
  enabled: false
`,
  );
  const cscli = ['ip', 'netns', 'exec', ns, 'cscli', '-c', config];
  const run = (args: readonly string[]) =>
    execFileSync(cscli[0] ?? 'ip', [...cscli.slice(1), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  // A machine for cscli; its credentials point at the listen_uri above.
  run(['machines', 'add', '-a', '--force', '-f', join(dir, 'etc', 'local_api_credentials.yaml')]);
  lab.spawn(ns, 'crowdsec', ['-c', config, '-no-cs']);
  for (let i = 0; ; i++) {
    try {
      run(['decisions', 'list', '-o', 'json']);
      break;
    } catch (error) {
      if (i > 100) throw new Error(`crowdsec local API never answered: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { ns, config, cscli, run };
}
