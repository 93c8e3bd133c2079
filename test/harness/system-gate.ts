import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * System tests need root, network namespaces and Debian tools. On a laptop they skip, saying
 * why; in CI (.ci/run sets PLEX_WARDEN_REQUIRE_SYSTEM_TESTS=1) a missing prerequisite fails.
 */
export const systemTestsRequired = process.env.PLEX_WARDEN_REQUIRE_SYSTEM_TESTS === '1';

export function missingPrerequisites(commands: readonly string[]): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  for (const command of commands) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    } catch {
      missing.push(command);
    }
  }
  if (!missing.includes('root')) {
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    } catch {
      missing.push('ip netns');
    }
  }
  return missing;
}

export function describeSystem(name: string, commands: readonly string[], body: () => void): void {
  const missing = missingPrerequisites(commands);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `missing prerequisites: ${missing.join(', ')}`;
  if (systemTestsRequired) {
    describe(name, () => {
      it('has its prerequisites (PLEX_WARDEN_REQUIRE_SYSTEM_TESTS=1)', () => {
        throw new Error(`${name}: ${reason}`);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${reason} (run as root with the Debian packages from .ci/run)`);
  describe.skip(name, body);
}
