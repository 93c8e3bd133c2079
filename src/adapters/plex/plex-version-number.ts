/** `1.43.2.10687-563d026ea` → [1, 43, 2, 10687]; undefined when the first four numbers are not there. */
export function parsePlexVersion(text: string): [number, number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(text.trim().split('-')[0] ?? '');
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
}

/** Compares the first four numbers only (the build hash after `-` carries no order). */
export function comparePlexVersions(a: string, b: string): number | undefined {
  const x = parsePlexVersion(a);
  const y = parsePlexVersion(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 4; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** `1.43.2.10687-563d026ea` → `1.43.2.10687`. */
export function shortPlexVersion(text: string): string {
  return parsePlexVersion(text)?.join('.') ?? text.slice(0, 40);
}
