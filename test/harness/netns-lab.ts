import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Network namespaces a test creates and always deletes. Names carry a random per-lab prefix so
 * parallel test files and leftover runs never collide. Nothing here touches the root namespace
 * beyond creating and deleting these namespaces.
 */
export class NetnsLab {
  readonly prefix: string;
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly pidFiles: string[] = [];

  constructor(tag: string) {
    this.prefix = `pw-${tag}-${randomBytes(3).toString('hex')}`;
  }

  /** Creates `<prefix>-<name>` with loopback up and returns its full name. */
  namespace(name: string): string {
    const ns = `${this.prefix}-${name}`;
    execFileSync('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    this.ip(ns, ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces with addresses (CIDR form) on each end, links up. */
  link(
    a: { ns: string; ifname: string; cidr: string },
    b: { ns: string; ifname: string; cidr: string },
  ): void {
    const tmpA = `v${randomBytes(5).toString('hex')}`;
    const tmpB = `v${randomBytes(5).toString('hex')}`;
    execFileSync('ip', ['link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    execFileSync('ip', ['link', 'set', tmpA, 'netns', a.ns]);
    execFileSync('ip', ['link', 'set', tmpB, 'netns', b.ns]);
    this.ip(a.ns, ['link', 'set', tmpA, 'name', a.ifname]);
    this.ip(b.ns, ['link', 'set', tmpB, 'name', b.ifname]);
    this.ip(a.ns, ['addr', 'add', a.cidr, 'dev', a.ifname]);
    this.ip(b.ns, ['addr', 'add', b.cidr, 'dev', b.ifname]);
    this.ip(a.ns, ['link', 'set', a.ifname, 'up']);
    this.ip(b.ns, ['link', 'set', b.ifname, 'up']);
  }

  ip(ns: string, args: readonly string[]): string {
    return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  }

  /** Runs a command inside a namespace and returns stdout; throws with stderr on failure. */
  exec(ns: string, command: string, args: readonly string[], input?: string): string {
    try {
      return execFileSync('ip', ['netns', 'exec', ns, command, ...args], {
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 20_000,
      });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${command} ${args.join(' ')} in ${ns} failed: ${e.stderr || e.message}`);
    }
  }

  /** HTTP status of a GET from inside `ns`, or 'blocked' when no answer came within 3 s. */
  httpStatus(ns: string, url: string): string {
    try {
      return this.exec(ns, 'curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--connect-timeout',
        '1',
        '-m',
        '3',
        url,
      ]);
    } catch {
      return 'blocked';
    }
  }

  /** Starts a long-running process inside a namespace; it is killed in cleanup(). */
  spawn(ns: string, command: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  /** Remembers a daemon's pid file so cleanup() ends it by pid. */
  trackPidFile(path: string): void {
    this.pidFiles.push(path);
  }

  cleanup(): void {
    for (const child of this.children) {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    for (const file of this.pidFiles) {
      try {
        const pid = Number(execFileSync('cat', [file], { encoding: 'utf8' }).trim());
        if (pid > 1) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const ns of this.namespaces.reverse()) {
      try {
        // Kill anything still living in the namespace, then delete it.
        const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
          .split(/\s+/)
          .filter(Boolean);
        for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Namespace already gone or no processes.
      }
      try {
        execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
      } catch {
        // Already deleted.
      }
    }
    this.namespaces.length = 0;
  }
}
