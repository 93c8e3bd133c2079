import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/**
 * A throw-away CA and leaf certificates made with the openssl CLI (argument arrays, no shell).
 * `openssl ca` is used because it can set dates in the past, which `req -x509` cannot in 3.0.
 */
export class TestCertificates {
  private serial = 1;
  readonly caFile: string;

  private constructor(private readonly dir: string) {
    this.caFile = join(dir, 'ca.pem');
  }

  static async create(dir: string): Promise<TestCertificates> {
    const certs = new TestCertificates(dir);
    mkdirSync(join(dir, 'db'), { recursive: true });
    writeFileSync(join(dir, 'db', 'index.txt'), '');
    writeFileSync(join(dir, 'db', 'serial'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = d',
        '[d]',
        `database = ${join(dir, 'db', 'index.txt')}`,
        `serial = ${join(dir, 'db', 'serial')}`,
        `new_certs_dir = ${join(dir, 'db')}`,
        'default_md = sha256',
        'policy = p',
        'copy_extensions = copy',
        'unique_subject = no',
        '[p]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      certs.caFile,
      '-subj',
      '/CN=plex-warden test CA',
      '-days',
      '3650',
    ]);
    return certs;
  }

  /** A leaf signed by the test CA, valid from `from` to `to` (Date), for the given SAN. */
  async leaf(name: string, san: string, from: Date, to: Date): Promise<KeyPair> {
    const base = join(this.dir, `${name}-${this.serial++}`);
    await run('openssl', ['req', '-new', ...newKeyFor(base, name, san), '-out', `${base}.csr`]);
    await run('openssl', [
      'ca',
      '-batch',
      '-config',
      join(this.dir, 'ca.cnf'),
      '-cert',
      this.caFile,
      '-keyfile',
      join(this.dir, 'ca.key'),
      '-in',
      `${base}.csr`,
      '-out',
      `${base}.pem`,
      '-notext',
      '-startdate',
      opensslDate(from),
      '-enddate',
      opensslDate(to),
    ]);
    return readPair(base);
  }

  /** A self-signed certificate (its own issuer), valid for a year. */
  async selfSigned(name: string, san: string): Promise<KeyPair> {
    const base = join(this.dir, `${name}-${this.serial++}`);
    await run('openssl', [
      'req',
      '-x509',
      ...newKeyFor(base, name, san),
      '-out',
      `${base}.pem`,
      '-days',
      '365',
    ]);
    return readPair(base);
  }
}

/** YYYYMMDDHHMMSSZ, the GeneralizedTime form `openssl ca -startdate/-enddate` accepts. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** `openssl req` arguments for a new P-256 key at `<base>.key` with this name and SAN. */
function newKeyFor(base: string, name: string, san: string): string[] {
  return [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${base}.key`,
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=${san}`,
  ];
}

function readPair(base: string): KeyPair {
  return { key: readFileSync(`${base}.key`, 'utf8'), cert: readFileSync(`${base}.pem`, 'utf8') };
}
