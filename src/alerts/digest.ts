import type { APIEmbed } from 'discord.js';
import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import { type Finding, severityRank } from '../domain/finding.js';
import type { ScanResult } from '../exposure/scan-runner.js';
import { formatDuration } from '../kernel/duration.js';
import { labelAddresses } from '../net/address-tokens.js';
import type { ExposureGrade } from '../report/exposure-grade.js';
import {
  LIMITS,
  packEmbeds,
  packItems,
  RESOLVED_COLOUR,
  SEVERITY_COLOUR,
  SEVERITY_ICON,
  safeText,
  truncate,
} from './embeds.js';

function worst(findings: readonly Finding[]): Finding['severity'] | undefined {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]?.severity;
}

function findingField(finding: Finding): { name: string; value: string } {
  const fix = `**How to fix:** ${safeText(finding.fix)}`;
  const evidence = truncate(safeText(finding.evidence), LIMITS.fieldValue - fix.length - 1);
  return {
    name: truncate(
      `${SEVERITY_ICON[finding.severity]} ${finding.severity.toUpperCase()} · ${safeText(finding.title)}`,
      LIMITS.fieldName,
    ),
    value: `${evidence}\n${fix}`,
  };
}

/**
 * The reply to `/scan`: a summary embed coloured by the worst finding, one field per finding
 * (evidence and a "how to fix" line), continued over more embeds and messages when needed.
 * The exposure grade of everything open (src/report/exposure-grade.ts) heads it.
 */
export function scanReport(result: ScanResult, grade?: ExposureGrade): APIEmbed[][] {
  const findings = [...result.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const severity = worst(findings);
  const failed = result.checks.filter((c) => c.status === 'failed' || c.status === 'timeout').length;
  const skipped = result.checks.filter((c) => c.status === 'skipped').length;
  const lines = [
    ...(grade ? [`**Exposure grade ${grade.letter}** (${grade.reason})`] : []),
    `${result.checks.length} check${result.checks.length === 1 ? '' : 's'} in ${formatDuration(result.finishedAt - result.startedAt)}`,
    findings.length === 0
      ? '✅ No findings.'
      : `${findings.length} finding${findings.length === 1 ? '' : 's'}`,
  ];
  if (failed > 0) lines.push(`${failed} could not run`);
  if (skipped > 0) lines.push(`${skipped} skipped (see plex-reachable)`);
  const fields = findings.map(findingField);
  // Fields are cut into embeds by count (25) and by size, so that no embed is over the 6,000 a
  // message allows and clampEmbed never has to drop one: every finding is shown, over as many
  // embeds and follow-up messages as it takes.
  const titleRoom = 64;
  const descriptionRoom = lines.join(' · ').length;
  const chunks: (typeof fields)[] = [];
  let chunk: typeof fields = [];
  let size = descriptionRoom + titleRoom;
  for (const field of fields) {
    const length = field.name.length + field.value.length;
    if (chunk.length > 0 && (chunk.length >= LIMITS.fields || size + length > LIMITS.charsPerMessage)) {
      chunks.push(chunk);
      chunk = [];
      size = titleRoom;
    }
    chunk.push(field);
    size += length;
  }
  chunks.push(chunk);
  const embeds: APIEmbed[] = chunks.map((part, i) => ({
    title: i === 0 ? `Scan #${result.runId}` : `Scan #${result.runId} (continued)`,
    ...(i === 0 ? { description: lines.join(' · ') } : {}),
    color: severity ? SEVERITY_COLOUR[severity] : RESOLVED_COLOUR,
    fields: part,
    timestamp: new Date(result.finishedAt).toISOString(),
  }));
  return packEmbeds(embeds);
}

export interface DigestOptions {
  readonly title: string;
  /** Findings re-sent because they are critical and still open. */
  readonly reminders?: readonly Finding[];
  /** Per finding fingerprint: why its suggested action was not proposed (shown on its line). */
  readonly notProposed?: ReadonlyMap<string, string>;
  /** Every address a digest line names is shown with its network and country (address-label.ts). */
  readonly addressFacts?: AddressFactsLookup;
}

/** One message of a digest and, per embed, the finding it announces (null for "resolved"). */
export interface DigestMessage {
  readonly embeds: APIEmbed[];
  readonly findings: (string | null)[];
}

/**
 * One digest per scan for the alert channel: only what is new, changed or resolved (plus
 * critical reminders), one embed per finding, split across messages within Discord's limits.
 * The author line ("Scan #3: 2 new") is put on the first embed before packing, so it counts
 * toward the 6,000 like Discord counts it. Returns no messages when nothing changed.
 */
export function digestMessages(changes: FindingChanges, options: DigestOptions): DigestMessage[] {
  const items: { embed: APIEmbed; meta: string | null }[] = [];
  const opened = [...changes.opened].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const facts = options.addressFacts;
  const note = (f: Finding) => {
    const why = options.notProposed?.get(f.fingerprint);
    return why === undefined ? undefined : labelAddresses(why, facts);
  };
  const embed = (label: string, f: Finding) => findingEmbed(label, labelled(f, facts), note(f));
  for (const finding of opened) items.push({ embed: embed('New', finding), meta: finding.fingerprint });
  for (const change of changes.changed) {
    const moved =
      change.previousSeverity !== change.finding.severity ? ` (was ${change.previousSeverity})` : '';
    items.push({
      embed: embed(`Changed${moved}`, change.finding),
      meta: change.finding.fingerprint,
    });
  }
  for (const finding of options.reminders ?? [])
    items.push({ embed: embed('Still open', finding), meta: finding.fingerprint });
  for (const finding of changes.resolved) {
    items.push({
      embed: {
        title: truncate(`✅ Resolved · ${safeText(labelAddresses(finding.title, facts))}`, LIMITS.title),
        color: RESOLVED_COLOUR,
        footer: { text: finding.fingerprint },
      },
      meta: null,
    });
  }
  const first = items[0];
  if (!first) return [];
  const counts = [
    opened.length > 0 ? `${opened.length} new` : '',
    changes.changed.length > 0 ? `${changes.changed.length} changed` : '',
    (options.reminders?.length ?? 0) > 0 ? `${options.reminders?.length} still open` : '',
    changes.resolved.length > 0 ? `${changes.resolved.length} resolved` : '',
  ].filter(Boolean);
  items[0] = {
    ...first,
    embed: {
      ...first.embed,
      author: { name: truncate(`${options.title}: ${counts.join(', ')}`, LIMITS.author) },
    },
  };
  return packItems(items).map((message) => ({
    embeds: message.map((i) => i.embed),
    findings: message.map((i) => i.meta),
  }));
}

/** The digest's embeds per message (see digestMessages). */
export function changeDigest(changes: FindingChanges, options: DigestOptions): APIEmbed[][] {
  return digestMessages(changes, options).map((m) => m.embeds);
}

/**
 * A finding as its digest lines show it: findings from the log detectors name their address with
 * its label already, those from checks (and reasons, fixes) may name a bare one.
 */
function labelled(finding: Finding, facts: AddressFactsLookup | undefined): Finding {
  if (!facts) return finding;
  return {
    ...finding,
    title: labelAddresses(finding.title, facts),
    evidence: labelAddresses(finding.evidence, facts),
    fix: labelAddresses(finding.fix, facts),
  };
}

function findingEmbed(label: string, finding: Finding, notProposed?: string): APIEmbed {
  const fields = [{ name: 'How to fix', value: truncate(safeText(finding.fix), LIMITS.fieldValue) }];
  // A suggested block that was not proposed says why, so nobody waits for a proposal.
  if (notProposed !== undefined)
    fields.push({ name: 'Block not proposed', value: truncate(safeText(notProposed), LIMITS.fieldValue) });
  return {
    title: truncate(`${SEVERITY_ICON[finding.severity]} ${label} · ${safeText(finding.title)}`, LIMITS.title),
    description: truncate(safeText(finding.evidence), LIMITS.description),
    color: SEVERITY_COLOUR[finding.severity],
    fields,
    footer: { text: `${finding.severity.toUpperCase()} · ${finding.fingerprint}` },
  };
}
