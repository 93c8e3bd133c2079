import { digits2, LocalTimeZone, monthAt } from '../local-time.js';
import { detach, EV_FAILURE, EV_SUCCESS, type LogEvent } from '../log-event.js';
import type { LineParser, ParserDefinition, ParserOptions } from './types.js';

/**
 * OpenSSH in the auth log, classic syslog (`Nov 25 19:10:45 host sshd[123]: ...`) or ISO
 * (`2026-11-25T19:10:45.123456+01:00 host sshd[123]: ...`), `sshd` or `sshd-session`.
 *
 * The user name is chosen by the client and may contain ` from 6.6.6.6 port 22`: every
 * pattern is anchored at the start of sshd's message *and* at the end of the line, where sshd
 * writes the real address, and takes the last possible match.
 *
 * Counted as failures (fail2ban's sshd filter, normal + aggressive modes): failed password /
 * keyboard-interactive, invalid user, too many authentication attempts, and pre-auth
 * disconnects of an invalid or authenticating user. The PAM line `authentication failure ...
 * rhost=` is counted too, but the "Failed password" sshd writes for the same attempt (same
 * pid, same address) is not counted a second time.
 */
const FAILURES: readonly RegExp[] = [
  /Failed (?:password|keyboard-interactive\/pam) for (?:invalid user )?(.*) from (\S+) port \d+(?: ssh\d?)?\s*$/y,
  /[Ii]nvalid user (.*) from (\S+)(?: port \d+)?\s*$/y,
  /error: maximum authentication attempts exceeded for (?:invalid user )?(.*) from (\S+) port \d+(?: ssh\d?)?(?: \[preauth\])?\s*$/y,
  /(?:Connection closed by|Disconnected from) (?:invalid|authenticating) user (.*) (\S+) port \d+ \[preauth\]\s*$/y,
];
const PAM_FAILURE =
  /pam_unix\(sshd:auth\): authentication failure; logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=\S* rhost=(\S+)(?:\s+user=(.*))?\s*$/y;
const ACCEPTED =
  /Accepted (?:password|publickey|keyboard-interactive\/pam|hostbased) for (.*) from (\S+) port \d+ ssh\d?(?:: .*)?\s*$/y;
const PASSWORD_FAILURE = 0;

export class SshdParser implements LineParser {
  private readonly zone: LocalTimeZone;
  private lastTime = Number.NaN;
  /** The sshd pid and address of the last PAM failure, to not count sshd's echo of it twice. */
  private pamPid = '';
  private pamIp = '';

  constructor(private readonly options: ParserOptions) {
    this.zone = new LocalTimeZone(options.timeZone);
  }

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    const afterTime = this.readTime(text, start, ev);
    if (afterTime < 0) return false;
    const hostEnd = text.indexOf(' ', afterTime);
    if (hostEnd === -1 || hostEnd >= end) return false;
    let p = hostEnd + 1;
    if (text.startsWith('sshd[', p)) p += 5;
    else if (text.startsWith('sshd-session[', p)) p += 13;
    else return true; // another program: a well-formed line that does not concern us
    const pidEnd = text.indexOf(']: ', p);
    if (pidEnd === -1 || pidEnd - p > 10 || pidEnd >= end) return false;
    const msg = pidEnd + 3;
    const line = end === text.length ? text : text.slice(0, end);
    const pid = text.slice(p, pidEnd);

    PAM_FAILURE.lastIndex = msg;
    const pam = PAM_FAILURE.exec(line);
    if (pam) {
      ev.flags = EV_FAILURE;
      ev.setIpString(pam[1] ?? '');
      ev.user = detach(pam[2]?.trim() ?? '');
      this.pamPid = detach(pid);
      this.pamIp = detach(pam[1] ?? '');
      return true;
    }
    for (let i = 0; i < FAILURES.length; i++) {
      const re = FAILURES[i] as RegExp;
      re.lastIndex = msg;
      const m = re.exec(line);
      if (!m) continue;
      const ip = m[2] ?? '';
      if (i === PASSWORD_FAILURE && pid === this.pamPid && ip === this.pamIp) {
        this.pamPid = '';
        return true; // the same attempt PAM already reported
      }
      ev.flags = EV_FAILURE;
      ev.setIpString(ip);
      ev.user = detach(m[1] ?? '');
      return true;
    }
    ACCEPTED.lastIndex = msg;
    const ok = ACCEPTED.exec(line);
    if (ok) {
      ev.flags = EV_SUCCESS;
      ev.setIpString(ok[2] ?? '');
      ev.user = detach(ok[1] ?? '');
    }
    return true;
  }

  /** Reads the timestamp into ev.time and returns the index after it and its space, or -1. */
  private readTime(text: string, start: number, ev: LogEvent): number {
    const c = text.charCodeAt(start);
    if (c >= 48 && c <= 57) {
      // ISO 8601 with offset (rsyslog's high-precision format, journalctl -o short-iso).
      const sp = text.indexOf(' ', start);
      if (sp === -1 || sp - start > 40) return -1;
      const t = Date.parse(text.slice(start, sp));
      if (Number.isNaN(t)) return -1;
      ev.setTime(t);
      return sp + 1;
    }
    // `Nov 25 19:10:45` or `Nov  5 19:10:45`
    const month = monthAt(text, start);
    if (month < 0 || text.charCodeAt(start + 3) !== 32) return -1;
    const dayValue =
      text.charCodeAt(start + 4) === 32 ? text.charCodeAt(start + 5) - 48 : digits2(text, start + 4);
    const hour = digits2(text, start + 7);
    const minute = digits2(text, start + 10);
    const second = digits2(text, start + 13);
    if (dayValue < 1 || dayValue > 31 || hour < 0 || minute < 0 || second < 0) return -1;
    if (text.charCodeAt(start + 9) !== 58 || text.charCodeAt(start + 15) !== 32) return -1;
    // No year in classic syslog: this year, unless that lands more than a day in the future.
    const now = this.options.now();
    const year = new Date(now).getUTCFullYear();
    let t = this.zone.toEpoch(year, month, dayValue, hour, minute, second, 0, this.lastTime);
    if (t > now + 86_400_000)
      t = this.zone.toEpoch(year - 1, month, dayValue, hour, minute, second, 0, this.lastTime);
    ev.setTime(t);
    this.lastTime = t;
    return start + 16;
  }

  saveState(): unknown {
    return {
      lastTime: Number.isNaN(this.lastTime) ? null : this.lastTime,
      pamPid: this.pamPid,
      pamIp: this.pamIp,
    };
  }

  loadState(state: unknown): void {
    const s = state as { lastTime?: unknown; pamPid?: unknown; pamIp?: unknown } | null;
    if (!s || typeof s !== 'object') return;
    if (typeof s.lastTime === 'number') this.lastTime = s.lastTime;
    if (typeof s.pamPid === 'string') this.pamPid = s.pamPid;
    if (typeof s.pamIp === 'string') this.pamIp = s.pamIp;
  }
}

export const sshdParser = {
  id: 'sshd',
  kinds: ['sshd'],
  create: (options) => new SshdParser(options),
} as const satisfies ParserDefinition;
