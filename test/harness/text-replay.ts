import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type Env, loadConfig } from '../../src/config/index.js';
import type { LogSourceKind } from '../../src/config/logs.js';
import { type ReplayResult, replayFile } from '../../src/logs/replay.js';
import { tempDir } from './test-env.js';

/**
 * A temp folder per test (removed after it) and `replay(text, env)`: writes `text` as the log of
 * `kind` and replays it with the configuration `env` gives (UTC), at the fixed time `now`.
 */
export function useTextReplay(
  kind: LogSourceKind,
  now: number,
): {
  dir: () => string;
  replay: (text: string, env?: Env) => Promise<ReplayResult>;
} {
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    dir = tempDir(`plex-warden-${kind}-`);
  });
  afterEach(() => dir?.remove());
  const path = () => {
    if (dir === undefined) throw new Error('useTextReplay: used outside a test');
    return dir.path;
  };
  return {
    dir: path,
    replay: async (text, env = {}) => {
      const file = join(path(), `${kind}.log`);
      writeFileSync(file, text);
      const c = loadConfig({ LOG_TIMEZONE: 'UTC', ...env }, { requireDiscord: false });
      return replayFile(file, kind, { logs: c.logs, network: c.network, now: () => now });
    },
  };
}
