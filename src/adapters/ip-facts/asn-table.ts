import { readFileSync } from 'node:fs';

/**
 * The ASN ranges of `@ip-location-db/asn` (https://github.com/sapics/ip-location-db, CC BY 4.0:
 * RouteViews and DB-IP ASN Lite), which ships CSV, not MMDB: no ASN MMDB is published on npm.
 * Rows are `start,end,asn,name` with integer bounds (asn-ipv4-num.csv / asn-ipv6-num.csv), sorted
 * and non-overlapping, so a lookup is a binary search over typed arrays (a few MB, no objects
 * per row). IPv6 bounds are split into high and low 64-bit halves.
 */
export interface AsnHit {
  readonly asn: number;
  readonly asName: string;
}

/**
 * The lines of a CSV file read as bytes: one short-lived string per line instead of the whole
 * file as one string split into an array, which held ~100 MB in the old generation at once and
 * left the bot's RSS that much higher after the first lookup.
 */
function* csvLines(csv: Buffer): Generator<string> {
  let at = 0;
  while (at < csv.length) {
    const nl = csv.indexOf(10, at);
    const end = nl < 0 ? csv.length : nl;
    yield csv.toString('utf8', at, end);
    at = end + 1;
  }
}

function lineCount(csv: Buffer): number {
  let n = 1;
  for (let at = csv.indexOf(10); at >= 0; at = csv.indexOf(10, at + 1)) n += 1;
  return n;
}

/**
 * Calls `put` with each well-formed row, its interned name and its index among the kept rows;
 * answers how many were kept. Malformed lines are skipped.
 */
function eachRow(
  csv: Buffer,
  nameTable: string[],
  nameIndex: Map<string, number>,
  put: (row: Row, name: number, n: number) => void,
): number {
  let n = 0;
  for (const line of csvLines(csv)) {
    const row = parseRow(line.trimEnd());
    if (!row) continue;
    put(row, internName(row.name, nameTable, nameIndex), n);
    n += 1;
  }
  return n;
}

interface Row {
  start: bigint;
  end: bigint;
  asn: number;
  name: string;
}

/** `start,end,asn,name`; the name is quoted (with `""` for a quote) when it holds a comma. */
function parseRow(line: string): Row | undefined {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  let name = line.slice(c + 1);
  if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
  const asn = Number(line.slice(b + 1, c));
  if (!Number.isInteger(asn)) return undefined;
  try {
    return { start: BigInt(line.slice(0, a)), end: BigInt(line.slice(a + 1, b)), asn, name };
  } catch {
    return undefined;
  }
}

export class AsnTable4 {
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly asns: Uint32Array;
  private readonly names: Uint32Array;

  constructor(
    csv: Buffer,
    private readonly nameTable: string[],
    nameIndex: Map<string, number>,
  ) {
    const rows = lineCount(csv);
    this.starts = new Uint32Array(rows);
    this.ends = new Uint32Array(rows);
    this.asns = new Uint32Array(rows);
    this.names = new Uint32Array(rows);
    this.count = eachRow(csv, nameTable, nameIndex, (row, name, n) => {
      this.starts[n] = Number(row.start);
      this.ends[n] = Number(row.end);
      this.asns[n] = row.asn;
      this.names[n] = name;
    });
  }

  readonly count: number;

  find(value: number): AsnHit | undefined {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] ?? 0) > value) hi = mid - 1;
      else if ((this.ends[mid] ?? 0) < value) lo = mid + 1;
      else return { asn: this.asns[mid] ?? 0, asName: this.nameTable[this.names[mid] ?? 0] ?? '' };
    }
    return undefined;
  }
}

const MASK64 = (1n << 64n) - 1n;

export class AsnTable6 {
  private readonly startHi: BigUint64Array;
  private readonly startLo: BigUint64Array;
  private readonly endHi: BigUint64Array;
  private readonly endLo: BigUint64Array;
  private readonly asns: Uint32Array;
  private readonly names: Uint32Array;
  readonly count: number;

  constructor(
    csv: Buffer,
    private readonly nameTable: string[],
    nameIndex: Map<string, number>,
  ) {
    const rows = lineCount(csv);
    this.startHi = new BigUint64Array(rows);
    this.startLo = new BigUint64Array(rows);
    this.endHi = new BigUint64Array(rows);
    this.endLo = new BigUint64Array(rows);
    this.asns = new Uint32Array(rows);
    this.names = new Uint32Array(rows);
    this.count = eachRow(csv, nameTable, nameIndex, (row, name, n) => {
      this.startHi[n] = row.start >> 64n;
      this.startLo[n] = row.start & MASK64;
      this.endHi[n] = row.end >> 64n;
      this.endLo[n] = row.end & MASK64;
      this.asns[n] = row.asn;
      this.names[n] = name;
    });
  }

  find(hi: bigint, lo: bigint): AsnHit | undefined {
    let a = 0;
    let b = this.count - 1;
    while (a <= b) {
      const mid = (a + b) >>> 1;
      const sHi = this.startHi[mid] ?? 0n;
      const sLo = this.startLo[mid] ?? 0n;
      const eHi = this.endHi[mid] ?? 0n;
      const eLo = this.endLo[mid] ?? 0n;
      if (sHi > hi || (sHi === hi && sLo > lo)) b = mid - 1;
      else if (eHi < hi || (eHi === hi && eLo < lo)) a = mid + 1;
      else return { asn: this.asns[mid] ?? 0, asName: this.nameTable[this.names[mid] ?? 0] ?? '' };
    }
    return undefined;
  }
}

function internName(name: string, table: string[], index: Map<string, number>): number {
  const known = index.get(name);
  if (known !== undefined) return known;
  table.push(name);
  index.set(name, table.length - 1);
  return table.length - 1;
}

export function loadAsnTables(v4Path: string, v6Path: string): { v4: AsnTable4; v6: AsnTable6 } {
  const names: string[] = [];
  const index = new Map<string, number>();
  const v4 = new AsnTable4(readFileSync(v4Path), names, index);
  const v6 = new AsnTable6(readFileSync(v6Path), names, index);
  return { v4, v6 };
}
