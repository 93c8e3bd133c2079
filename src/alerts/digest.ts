import type { APIEmbed } from 'discord.js';
import type { FindingChanges } from '../adapters/sqlite/finding-repository.js';
import { type Finding, severityRank } from '../domain/finding.js';
import type { ScanResult } from '../exposure/scan-runner.js';
import { formatDuration } from '../kernel/duration.js';
import {
  LIMITS,
  packEmbeds,
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
 */
export function scanReport(result: ScanResult): APIEmbed[][] {
  const findings = [...result.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const severity = worst(findings);
  const failed = result.checks.filter((c) => c.status === 'failed' || c.status === 'timeout').length;
  const skipped = result.checks.filter((c) => c.status === 'skipped').length;
  const lines = [
    `${result.checks.length} check${result.checks.length === 1 ? '' : 's'} in ${formatDuration(result.finishedAt - result.startedAt)}`,
    findings.length === 0
      ? '✅ No findings.'
      : `${findings.length} finding${findings.length === 1 ? '' : 's'}`,
  ];
  if (failed > 0) lines.push(`${failed} could not run`);
  if (skipped > 0) lines.push(`${skipped} skipped (see plex-reachable)`);
  const fields = findings.map(findingField);
  const embeds: APIEmbed[] = [];
  for (let i = 0; i === 0 || i < fields.length; i += LIMITS.fields) {
    embeds.push({
      title: i === 0 ? `Scan #${result.runId}` : `Scan #${result.runId} (continued)`,
      ...(i === 0 ? { description: lines.join(' · ') } : {}),
      color: severity ? SEVERITY_COLOUR[severity] : RESOLVED_COLOUR,
      fields: fields.slice(i, i + LIMITS.fields),
      timestamp: new Date(result.finishedAt).toISOString(),
    });
  }
  return packEmbeds(embeds);
}

export interface DigestOptions {
  readonly title: string;
  /** Findings re-sent because they are critical and still open. */
  readonly reminders?: readonly Finding[];
  /** Per finding fingerprint: why its suggested action was not proposed (shown on its line). */
  readonly notProposed?: ReadonlyMap<string, string>;
}

/**
 * One digest per scan for the alert channel: only what is new, changed or resolved (plus
 * critical reminders), one embed per finding, split across messages within Discord's limits.
 * Returns no messages when nothing changed.
 */
export function changeDigest(changes: FindingChanges, options: DigestOptions): APIEmbed[][] {
  const embeds: APIEmbed[] = [];
  const opened = [...changes.opened].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const note = (f: Finding) => options.notProposed?.get(f.fingerprint);
  for (const finding of opened) embeds.push(findingEmbed('New', finding, note(finding)));
  for (const change of changes.changed) {
    const moved =
      change.previousSeverity !== change.finding.severity ? ` (was ${change.previousSeverity})` : '';
    embeds.push(findingEmbed(`Changed${moved}`, change.finding, note(change.finding)));
  }
  for (const finding of options.reminders ?? [])
    embeds.push(findingEmbed('Still open', finding, note(finding)));
  for (const finding of changes.resolved) {
    embeds.push({
      title: truncate(`✅ Resolved · ${safeText(finding.title)}`, LIMITS.title),
      color: RESOLVED_COLOUR,
      footer: { text: finding.fingerprint },
    });
  }
  if (embeds.length === 0) return [];
  const counts = [
    opened.length > 0 ? `${opened.length} new` : '',
    changes.changed.length > 0 ? `${changes.changed.length} changed` : '',
    (options.reminders?.length ?? 0) > 0 ? `${options.reminders?.length} still open` : '',
    changes.resolved.length > 0 ? `${changes.resolved.length} resolved` : '',
  ].filter(Boolean);
  const messages = packEmbeds(embeds);
  const first = messages[0];
  if (first) {
    const header = first[0];
    if (header)
      first[0] = { ...header, author: { name: truncate(`${options.title}: ${counts.join(', ')}`, 256) } };
  }
  return messages;
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
