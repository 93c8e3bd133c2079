import { digits2, LocalTimeZone, monthAt } from '../local-time.js';
import { detach, EV_FAILURE, EV_SUCCESS, type LogEvent } from '../log-event.js';
import {
  hit,
  type LineParser,
  type MessageFields,
  type ParserDefinition,
  type ParserOptions,
} from './types.js';

/**
 * OpenSSH in the auth log, classic syslog (`Nov 25 19:10:45 host sshd[123]: ...`, a one-digit
 * day padded with a space or not), ISO (`2026-11-25T19:10:45.123456+01:00 host sshd[123]: ...`),
 * `sshd` or `sshd-session`; or a bare journald MESSAGE through parseMessage.
 *
 * Which lines are failures follows fail2ban's sshd filter and its annotated samples
 * (fail2ban/fail2ban config/filter.d/sshd.conf, fail2ban/tests/files/logs/sshd and
 * sshd-journal). The user name is chosen by the client and may contain ` from 6.6.6.6 port
 * 22`: patterns are anchored at the start of sshd's message and, where the address comes after
 * the user, at the end of the line, so a name can only push text to the left of the address.
 *
 * `pam_unix(sshd:auth): authentication failure` is not counted: with several PAM modules it
 * fails where the next one accepts (fail2ban gh-2070: pam_unix fails, pam_ldap accepts, then
 * `Accepted password`), and when the attempt really failed sshd writes its own `Failed
 * password` line for it. `error: PAM: Authentication failure` (BSD, macOS) is counted, and the
 * `Failed keyboard-interactive/pam` sshd writes for the same attempt (same pid, same address)
 * is not counted a second time.
 */
export const SSHD_PATTERNS = [
  'failed-auth',
  'invalid-user',
  'not-allowed',
  'pam-error',
  'max-attempts',
  'too-many-failures',
  'preauth-disconnect',
  'client-auth-fail',
  'accepted',
] as const;
const P_FAILED = 0;
const P_PAM = 3;
const P_ACCEPTED = 8;

/**
 * Patterns whose address ends the line: the user (group 1) is greedy, so an address written
 * inside a user name is never the one taken. Indexed like SSHD_PATTERNS (1..7).
 */
const TAIL_ANCHORED: readonly (readonly [number, RegExp])[] = [
  [1, /[Ii](?:nvalid|llegal) user (.*) from (\S+)(?: port \d+)?\s*$/y],
  [
    2,
    /User (.+) from (\S+) not allowed because (?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups)\s*(?:\[preauth\])?\s*$/y,
  ],
  [
    P_PAM,
    /(?:error: )?PAM: (?:[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module) for (?:illegal user )?(.*) from (\S+)(?: via \S+)?\s*(?:\[preauth\])?\s*$/y,
  ],
  [
    4,
    /(?:error: )?maximum authentication attempts exceeded for (?:invalid user )?(.*) from (\S+) port \d+(?: ssh\d*)?(?: \[preauth\])?\s*$/y,
  ],
  [
    5,
    /Disconnecting (?:invalid|authenticating) user (.*) (\S+) port \d+: Too many authentication failures(?: \[preauth\])?\s*$/y,
  ],
  [
    6,
    /(?:Connection closed by|Disconnected from) (?:invalid|authenticating) user (.*) (\S+) port \d+ \[preauth\]\s*$/y,
  ],
];
/**
 * The client's own disconnect reason (`3` or `11`) saying it gave up authenticating, e.g.
 * JSch's `Auth fail`. The address comes before the client's text, so this one is anchored at
 * the start only (fail2ban: `Received disconnect from <HOST>...: 3: .*: Auth fail`).
 */
const CLIENT_AUTH_FAIL =
  /(?:error: )?Received disconnect from (\S+?)(?: port \d+)?:\s*(?:3|11): (?:.*: )?Auth fail(?: \[preauth\])?\s*$/y;
const FAILED_HEAD = /Failed (\S+) for (invalid user )?/y;
/**
 * One candidate for the address after `Failed <method> for <user>`: sshd writes
 * `from IP port N ssh2` and then either nothing or `: <auth info>` (OpenSSH auth.c
 * auth_log), so the real address is the first ` from ` followed by exactly that. A name like
 * `x from 10.10.1.2 port 55555 ssh2` is followed by ` from`, not by the end or `: `; auth info
 * such as `: from 10.10.1.2 port 55555 ssh2` comes after the real one (fail2ban's samples for
 * both). A name that itself ends in `ssh2:` cannot be told from auth info; fail2ban takes the
 * first too.
 */
const FROM_CANDIDATE = / from (\S+?)(?: port \d+)?(?: ssh\d*)?(?:\s*$|: )/g;
const ACCEPTED =
  /Accepted (?:password|publickey|keyboard-interactive\/pam|keyboard-interactive|hostbased|gssapi-with-mic) for (.*) from (\S+) port \d+ ssh\d?(?:: .*)?\s*$/y;

export class SshdParser implements LineParser {
  readonly hits = new Uint32Array(SSHD_PATTERNS.length);
  private readonly zone: LocalTimeZone;
  // Sticky and global regexes carry lastIndex: each parser owns its copies.
  private readonly tail = TAIL_ANCHORED.map(([i, re]) => [i, new RegExp(re)] as const);
  private readonly clientAuthFail = new RegExp(CLIENT_AUTH_FAIL);
  private readonly failedHead = new RegExp(FAILED_HEAD);
  private readonly fromCandidate = new RegExp(FROM_CANDIDATE);
  private readonly accepted = new RegExp(ACCEPTED);
  private lastTime = Number.NaN;
  /** The sshd pid and address of the last `error: PAM:` failure, not to count its echo twice. */
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
    const line = end === text.length ? text : text.slice(0, end);
    this.message(line, pidEnd + 3, text.slice(p, pidEnd), ev);
    return true;
  }

  parseMessage(text: string, start: number, end: number, fields: MessageFields, ev: LogEvent): boolean {
    ev.setTime(fields.time);
    const line = end === text.length ? text : text.slice(0, end);
    this.message(line, start, fields.pid, ev);
    return true;
  }

  /** sshd's message from `msg` to the end of `line`; fills `ev` for the lines that count. */
  private message(line: string, msg: number, pid: string, ev: LogEvent): void {
    const c = line.charCodeAt(msg);
    if (c === 70 /* F */) {
      this.failed(line, msg, pid, ev);
      return;
    }
    if (c === 65 /* A */) {
      const re = this.accepted;
      re.lastIndex = msg;
      const ok = re.exec(line);
      if (ok) {
        hit(this.hits, P_ACCEPTED);
        ev.flags = EV_SUCCESS;
        ev.setIpString(ok[2] ?? '');
        ev.user = detach(ok[1] ?? '');
      }
      return;
    }
    if (c === 82 /* R */ || (c === 101 /* e */ && line.startsWith('error: Received', msg))) {
      const re = this.clientAuthFail;
      re.lastIndex = msg;
      const m = re.exec(line);
      if (m) {
        hit(this.hits, 7);
        this.fail(ev, m[1] ?? '', '');
        return;
      }
    }
    for (const [index, re] of this.tail) {
      re.lastIndex = msg;
      const m = re.exec(line);
      if (!m) continue;
      hit(this.hits, index);
      const ip = m[2] ?? '';
      if (index === P_PAM) {
        this.pamPid = detach(pid);
        this.pamIp = detach(ip);
      }
      this.fail(ev, ip, m[1] ?? '');
      return;
    }
  }

  /** `Failed <method> for [invalid user ]<user> from <ip> [port N] [sshN][: info]`. */
  private failed(line: string, msg: number, pid: string, ev: LogEvent): void {
    const head = this.failedHead;
    head.lastIndex = msg;
    const h = head.exec(line);
    if (!h) return;
    const method = h[1] ?? '';
    const invalid = h[2] !== undefined;
    // A known user trying several keys fails publickey before one is accepted (fail2ban gh-1263).
    if (!invalid && method !== 'password' && !method.startsWith('keyboard-interactive')) return;
    const userStart = head.lastIndex;
    const from = this.fromCandidate;
    from.lastIndex = userStart;
    // The first candidate followed by the end or `: ` (see FROM_CANDIDATE).
    const m = from.exec(line);
    if (m === null) return;
    const ip = m[1] ?? '';
    hit(this.hits, P_FAILED);
    if (pid !== '' && pid === this.pamPid && ip === this.pamIp) {
      this.pamPid = '';
      return; // the same attempt PAM already reported
    }
    this.fail(ev, ip, line.slice(userStart, m.index));
  }

  private fail(ev: LogEvent, ip: string, user: string): void {
    ev.flags = EV_FAILURE;
    ev.setIpString(ip);
    ev.user = detach(user);
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
    // `Nov 25 19:10:45`, `Nov  5 19:10:45` (RFC 3164 pads with a space) or `Feb 7 16:01:07`
    // (some writers do not pad; fail2ban's sshd samples have both).
    const month = monthAt(text, start);
    if (month < 0 || text.charCodeAt(start + 3) !== 32) return -1;
    let d = start + 4;
    if (text.charCodeAt(d) === 32) d++;
    let dayValue: number;
    let t0: number;
    if (text.charCodeAt(d + 1) === 32) {
      dayValue = text.charCodeAt(d) - 48;
      t0 = d + 2;
    } else {
      dayValue = digits2(text, d);
      t0 = d + 3;
    }
    const hour = digits2(text, t0);
    const minute = digits2(text, t0 + 3);
    const second = digits2(text, t0 + 6);
    if (dayValue < 1 || dayValue > 31 || hour < 0 || minute < 0 || second < 0) return -1;
    if (text.charCodeAt(t0 + 2) !== 58 || text.charCodeAt(t0 + 5) !== 58 || text.charCodeAt(t0 + 8) !== 32)
      return -1;
    // No year in classic syslog: this year, unless that lands more than a day in the future.
    const now = this.options.now();
    const year = new Date(now).getUTCFullYear();
    let t = this.zone.toEpoch(year, month, dayValue, hour, minute, second, 0, this.lastTime);
    if (t > now + 86_400_000)
      t = this.zone.toEpoch(year - 1, month, dayValue, hour, minute, second, 0, this.lastTime);
    ev.setTime(t);
    this.lastTime = t;
    return t0 + 9;
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
  patterns: SSHD_PATTERNS,
  create: (options) => new SshdParser(options),
} as const satisfies ParserDefinition;
