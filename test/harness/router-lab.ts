import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab } from './netns-lab.js';

/**
 * A home router in namespaces (test-rig.md): `lan [192.168.77.10/24, default via .1] == router
 * [lan0 192.168.77.1, wan0 10.77.0.2/24] == wan (dead end)`, with a real miniupnpd (UPnP IGD +
 * NAT-PMP) on the router's LAN side. Everything lives in namespaces this lab deletes.
 */
export const LAB = {
  lanHost: '192.168.77.10',
  /** Not configured anywhere: secure_mode refuses mappings for it (718). */
  otherLanHost: '192.168.77.20',
  router: '192.168.77.1',
  /** What miniupnpd reports as its external address; never contacted. */
  externalIp: '198.0.0.11',
  httpPort: 5000,
} as const;

const NFT_SKELETON = `
table inet filter {
  chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; jump miniupnpd; }
  chain miniupnpd {}
}
table inet nat {
  chain prerouting { type nat hook prerouting priority -100; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd {}
  chain postrouting_miniupnpd {}
}
`;

export interface RouterLabOptions {
  readonly enableUpnp?: boolean;
  readonly enableNatPmp?: boolean;
}

export class RouterLab {
  readonly netns: NetnsLab;
  readonly lan: string = '';
  readonly router: string = '';
  readonly wan: string = '';
  readonly dir: string;
  private pidFile = '';
  private starts = 0;

  constructor(tag: string) {
    this.netns = new NetnsLab(tag);
    this.dir = mkdtempSync(join(tmpdir(), 'pw-router-lab-'));
    // A half-built lab (a failing `ip` call) must not leak namespaces: the caller never gets it.
    try {
      this.lan = this.netns.namespace('lan');
      this.router = this.netns.namespace('rtr');
      this.wan = this.netns.namespace('wan');
      this.netns.link(
        { ns: this.lan, ifname: 'eth0', cidr: `${LAB.lanHost}/24` },
        { ns: this.router, ifname: 'lan0', cidr: `${LAB.router}/24` },
      );
      this.netns.link(
        { ns: this.router, ifname: 'wan0', cidr: '10.77.0.2/24' },
        { ns: this.wan, ifname: 'eth0', cidr: '10.77.0.1/24' },
      );
      // Without a route covering 239.255.255.250 the M-SEARCH send fails with ENETUNREACH.
      this.netns.ip(this.lan, ['route', 'add', 'default', 'via', LAB.router]);
      this.netns.ip(this.router, ['route', 'add', 'default', 'via', '10.77.0.1']);
      this.netns.exec(this.router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
      this.netns.exec(this.router, 'nft', ['-f', '-'], NFT_SKELETON);
    } catch (error) {
      this.cleanup();
      throw error;
    }
  }

  get descriptionUrl(): string {
    return `http://${LAB.router}:${LAB.httpPort}/rootDesc.xml`;
  }

  /** Writes the config and starts miniupnpd daemonized; resolves when its HTTP port listens. */
  async startMiniupnpd(options: RouterLabOptions = {}): Promise<void> {
    const conf = join(this.dir, 'miniupnpd.conf');
    // A fresh pid file per start: a killed daemon may linger as a zombie (no reaping init in
    // containers) and miniupnpd refuses to start while its old pid file names a live pid.
    this.starts++;
    this.pidFile = join(this.dir, `miniupnpd-${this.starts}.pid`);
    this.netns.trackPidFile(this.pidFile);
    writeFileSync(
      conf,
      [
        'ext_ifname=wan0',
        `ext_ip=${LAB.externalIp}`,
        'listening_ip=lan0',
        `http_port=${LAB.httpPort}`,
        `enable_natpmp=${options.enableNatPmp === false ? 'no' : 'yes'}`,
        `enable_upnp=${options.enableUpnp === false ? 'no' : 'yes'}`,
        'secure_mode=yes',
        `uuid=${randomUUID()}`,
        'upnp_table_name=filter',
        'upnp_nat_table_name=nat',
        'allow 1024-65535 192.168.77.0/24 1024-65535',
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'),
    );
    execFileSync('ip', ['netns', 'exec', this.router, 'miniupnpd', '-f', conf, '-P', this.pidFile], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const listening = this.netns.exec(this.router, 'ss', ['-Hlnu', 'sport = :5351']).trim() !== '';
      const http =
        options.enableUpnp === false ||
        this.netns.exec(this.router, 'ss', ['-Hlnt', `sport = :${LAB.httpPort}`]).trim() !== '';
      if ((listening || options.enableNatPmp === false) && http) return;
      if (Date.now() > deadline) throw new Error('miniupnpd did not start listening within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the daemon by its pid and waits until its sockets are gone. */
  async stopMiniupnpd(): Promise<void> {
    let pid = 0;
    try {
      pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    if (pid <= 1) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const open =
        this.netns.exec(this.router, 'ss', ['-Hlnu', 'sport = :5351']).trim() !== '' ||
        this.netns.exec(this.router, 'ss', ['-Hlnt', `sport = :${LAB.httpPort}`]).trim() !== '';
      if (!open) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }

  /** `upnpc` in the LAN namespace, pointed at the description URL (no discovery). */
  upnpc(args: readonly string[]): string {
    return this.netns.exec(this.lan, 'upnpc', ['-u', this.descriptionUrl, ...args]);
  }

  natpmpc(args: readonly string[]): string {
    return this.netns.exec(this.lan, 'natpmpc', ['-g', LAB.router, ...args]);
  }

  /**
   * Runs a TypeScript script inside a namespace (a Node process cannot switch namespaces
   * itself), sending `input` as JSON on stdin and parsing the last stdout line as JSON.
   */
  runScript<T>(ns: string, script: string, input: unknown, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], {
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: process.cwd(),
      });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const last = out.trim().split('\n').at(-1) ?? '';
        if (code !== 0) {
          reject(new Error(`script ${script} exited ${code}: ${err.slice(-2000)}`));
          return;
        }
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`script ${script} printed no JSON: ${out.slice(-500)} ${err.slice(-1000)}`));
        }
      });
      child.stdin.end(JSON.stringify(input));
    });
  }

  /** Kills the daemons by pid (NetnsLab tracks every pid file) and deletes the namespaces. */
  cleanup(): void {
    this.netns.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
