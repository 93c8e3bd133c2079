import { digits2, digitsN, monthAt } from '../local-time.js';
import { detach, type TimeSource } from '../log-event.js';

/**
 * Parses the Common Log Format time `25/Nov/2026:19:10:45 +0000` at `i` into epoch ms (NaN if
 * malformed). Lines of the same minute share the expensive part: the cached minute prefix is
 * compared in place, and only the seconds are read for each line.
 */
export class ClfTime implements TimeSource {
  private minuteKey = '';
  private zoneKey = '';
  private minuteMs = 0;

  timeOf(text: string, i: number): number {
    // 0         1         2
    // 0123456789012345678901234
    // 25/Nov/2026:19:10:45 +0000
    if (
      this.minuteKey !== '' &&
      text.startsWith(this.minuteKey, i) &&
      text.startsWith(this.zoneKey, i + 20)
    ) {
      const s = digits2(text, i + 18);
      return s < 0 ? Number.NaN : this.minuteMs + s * 1000;
    }
    if (text.charCodeAt(i + 2) !== 47 || text.charCodeAt(i + 6) !== 47 || text.charCodeAt(i + 11) !== 58) {
      return Number.NaN;
    }
    const day = digits2(text, i);
    const month = monthAt(text, i + 3);
    const year = digitsN(text, i + 7, 4);
    const hour = digits2(text, i + 12);
    const minute = digits2(text, i + 15);
    const second = digits2(text, i + 18);
    const sign = text.charCodeAt(i + 21);
    const zh = digits2(text, i + 22);
    const zm = digits2(text, i + 24);
    if (day < 1 || month < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || zh < 0 || zm < 0) {
      return Number.NaN;
    }
    if (sign !== 43 && sign !== 45) return Number.NaN;
    const offset = (sign === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
    const minuteMs = Date.UTC(year, month, day, hour, minute) - offset;
    // Same minute and zone: `25/Nov/2026:19:10` and ` +0000`; the seconds sit between them.
    this.minuteKey = detach(text.slice(i, i + 17));
    this.zoneKey = detach(text.slice(i + 20, i + 26));
    this.minuteMs = minuteMs;
    return minuteMs + second * 1000;
  }
}
