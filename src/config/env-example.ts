import type { Key } from './key.js';
import { HEADER, SECTIONS } from './keys/index.js';
import type { Section } from './section.js';

const WIDTH = 80;

/** `# ── Title ────…` padded to 80 columns, as the sections of `.env.example` open. */
export function sectionHeading(title: string): string {
  const start = `# ── ${title} `;
  return start.padEnd(WIDTH, '─');
}

/** The lines one key contributes: its description as comments, then `NAME=default`. */
export function keyLines(key: Key): string[] {
  const lines = key.describe().map((line) => `# ${line}`);
  if (!key.perKindOnly) lines.push(`${key.name}=${key.defaultText}`);
  if (key.example !== undefined) lines.push(`# ${key.example}`);
  return lines;
}

/** `.env.example` as the table says it is (`npm run env-example` writes it). */
export function renderEnvExample(sections: readonly Section<Record<string, Key>>[] = SECTIONS): string {
  const lines = HEADER.map((line) => `# ${line}`);
  for (const section of sections) {
    lines.push('', sectionHeading(section.title), ...section.intro.map((line) => `# ${line}`));
    for (const key of Object.values(section.keys)) lines.push(...keyLines(key));
  }
  return `${lines.join('\n')}\n`;
}
