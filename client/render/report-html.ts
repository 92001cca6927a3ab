// The compliance report as HTML: one fragment shown in the dashboard's Report tab and, wrapped with
// its stylesheet, a standalone document to download or print to PDF. Pure: strings in, strings out;
// every value from the cluster is escaped.
import type { PolicySummary } from '../../shared/protocol/events.ts';
import { findingTitle, STANDING_TEXT, type ReportModel } from '../report.ts';
import { esc } from './graph-svg.ts';

const TIER_TEXT: Record<PolicySummary['tier'], string> = { anp: 'AdminNetworkPolicy', np: 'NetworkPolicy', banp: 'BaselineAdminNetworkPolicy' };

const utc = (iso: string) => `${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC')}`;
const num = (n: number | null) => (n === null ? 'unknown' : n.toLocaleString('en-US'));
const yesNo = (v: boolean | null) => (v === null ? '<span class="unknown">unknown</span>' : v ? 'yes' : '<span class="bad">no</span>');

function table(head: readonly string[], rows: readonly string[][], testId: string): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  return (
    `<table data-testid="${testId}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function summary(m: ReportModel): string {
  const c = m.counts;
  const known = c.pods - c.unknown;
  const rows: [string, string, string][] = [
    ['Pods in scope', num(c.pods), c.unknown > 0 ? `${num(c.unknown)} with unknown policies (counted neither way)` : ''],
    ['Unprotected for ingress', num(c.unprotectedIngress), `of ${num(known)} known pods: no policy restricts who may connect to them`],
    ['Unprotected for egress', num(c.unprotectedEgress), `of ${num(known)} known pods: no policy restricts where they may connect`],
    ['Unprotected both ways', num(c.unprotectedBoth), ''],
    ['Namespaces without an ingress default deny', num(m.withoutDefaultDeny.ingress), `of ${num(m.namespacesKnown)} namespaces with known policies`],
    ['Namespaces without an egress default deny', num(m.withoutDefaultDeny.egress), `of ${num(m.namespacesKnown)} namespaces with known policies`],
    ['Findings', num(m.findings.length), `${m.findings.filter((f) => f.severity === 'warning').length} warnings`],
  ];
  return `<table class="summary" data-testid="report-summary"><tbody>${rows
    .map(([k, v, note]) => `<tr><th scope="row">${esc(k)}</th><td class="figure" data-figure="${esc(k)}">${v}</td><td class="note">${esc(note)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function unknownNote(m: ReportModel): string {
  if (m.unknown !== 'all' && m.unknown.length === 0) return '';
  const what = m.unknown === 'all' ? 'The policies of every namespace are' : `The policies of ${m.unknown.map(esc).join(', ')} are`;
  return `<p class="warning" data-testid="report-unknown">${what} unknown at this instant (not synced, or not readable): their pods are reported as unknown, never as protected or open.</p>`;
}

function namespaces(m: ReportModel): string {
  return table(
    ['Namespace', 'Pods', 'Ingress default deny', 'Egress default deny', 'Unprotected (ingress)', 'Unprotected (egress)', 'Findings'],
    m.namespaces.map((n) => [
      esc(n.name),
      num(n.pods),
      yesNo(n.defaultDeny.ingress),
      yesNo(n.defaultDeny.egress),
      n.unknownPolicies ? '<span class="unknown">unknown</span>' : num(n.unprotectedIngress),
      n.unknownPolicies ? '<span class="unknown">unknown</span>' : num(n.unprotectedEgress),
      num(n.findings),
    ]),
    'report-namespaces',
  );
}

function unprotected(m: ReportModel): string {
  return table(
    ['Pod', 'Workload', 'Open'],
    m.unprotected.map((p) => [`<span class="id">${esc(p.id)}</span>`, `<span class="id">${esc(p.workload.split('/').slice(1).join('/') || '—')}</span>`, esc(STANDING_TEXT[p.standing])]),
    'report-unprotected',
  );
}

function policies(m: ReportModel): string {
  if (!m.policies) return '<p class="warning">The policy inventory could not be read from the server.</p>';
  return table(
    ['Tier', 'Policy', 'Priority', 'Selects (pods)', 'Ingress rules', 'Egress rules', 'Findings'],
    m.policies.map((p) => [
      esc(TIER_TEXT[p.tier]),
      esc(p.namespace ? `${p.namespace}/${p.name}` : p.name) + (p.unknown ? ' <span class="unknown">(incomplete data)</span>' : ''),
      p.priority === undefined ? '' : String(p.priority),
      num(p.pods),
      p.ingressRules === null ? '—' : String(p.ingressRules),
      p.egressRules === null ? '—' : String(p.egressRules),
      num(p.findings),
    ]),
    'report-policies',
  );
}

function findings(m: ReportModel): string {
  return table(
    ['Severity', 'Finding', 'Subject', 'Detail'],
    m.findings.map((f) => [esc(f.severity), esc(findingTitle(f.kind)), esc(f.subject + (f.direction ? ` (${f.direction})` : '')), esc(f.message)]),
    'report-findings',
  );
}

/** The report body (inside `.tm-report`), for the dashboard and the standalone document. */
export function reportBody(m: ReportModel, hash: string, matrixSvg: string | null): string {
  const kind = m.past ? '<span class="past">Past state (read-only)</span>' : '<span class="live">Live state</span>';
  return [
    '<header class="report-head">',
    '<h1>Network isolation report</h1>',
    `<dl class="report-meta">`,
    `<dt>Cluster</dt><dd data-testid="report-source">${esc(m.source)}</dd>`,
    `<dt>State at</dt><dd data-testid="report-at">${esc(utc(m.stateAt))} ${kind} <span class="seq">seq ${m.seq}</span></dd>`,
    `<dt>Scope</dt><dd>${esc(m.scope)}</dd>`,
    `<dt>Generated</dt><dd>${esc(utc(m.generatedAt))} by Traffic Map</dd>`,
    `<dt>Content SHA-256</dt><dd class="hash" data-testid="report-hash">${esc(hash)}</dd>`,
    '</dl>',
    '<p class="hash-note">The hash covers the state described (pods, isolation, policies, findings), not the time of generation: the same state always gives the same hash.</p>',
    '</header>',
    '<section><h2>Summary</h2>',
    unknownNote(m),
    summary(m),
    '</section>',
    '<section><h2>Isolation per namespace</h2>',
    '<p class="explain">A default deny is a policy selecting every pod of the namespace for that direction. A pod is unprotected in a direction when no policy isolates it there (any connection is then allowed).</p>',
    namespaces(m),
    '</section>',
    `<section class="break"><h2>Unprotected pods (${m.unprotected.length.toLocaleString('en-US')})</h2>`,
    unprotected(m),
    '</section>',
    `<section class="break"><h2>Policy inventory${m.policies ? ` (${m.policies.length.toLocaleString('en-US')})` : ''}</h2>`,
    '<p class="explain">In evaluation order: AdminNetworkPolicies by priority, then NetworkPolicies, then the BaselineAdminNetworkPolicy.</p>',
    policies(m),
    '</section>',
    matrixSvg ? `<section class="break"><h2>Connectivity between namespaces</h2><figure class="matrix">${matrixSvg.replace(/^<\?xml[^>]*>\s*/, '')}</figure></section>` : '',
    `<section class="break"><h2>Findings (${m.findings.length.toLocaleString('en-US')})</h2>`,
    findings(m),
    '</section>',
  ].join('\n');
}

/** The report's stylesheet: the dashboard adopts it for the Report tab; the document embeds it. */
export const REPORT_CSS = `
.tm-report { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #fff; max-width: 1100px; margin: 0 auto; padding: 24px 32px; }
.tm-report h1 { font-size: 22px; margin: 0 0 12px; }
.tm-report h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.tm-report .report-meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.tm-report .report-meta dt { color: #57606a; }
.tm-report .report-meta dd { margin: 0; }
.tm-report .hash { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11.5px; word-break: break-all; }
.tm-report .hash-note, .tm-report .explain { color: #57606a; font-size: 12px; }
.tm-report .live { color: #1a7f37; font-weight: 600; }
.tm-report .past { color: #9a6700; font-weight: 600; }
.tm-report .seq { color: #57606a; }
.tm-report table { border-collapse: collapse; width: 100%; font-size: 12px; }
.tm-report th, .tm-report td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
.tm-report thead th { background: #f6f8fa; border-bottom: 1px solid #d0d7de; }
.tm-report table.summary { width: auto; font-size: 13px; }
.tm-report .figure { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
.tm-report .note { color: #57606a; }
.tm-report .bad { color: #cf222e; font-weight: 600; }
.tm-report .unknown { color: #6e7781; font-style: italic; }
.tm-report .warning { border-left: 3px solid #9a6700; background: #fff8c5; padding: 6px 10px; }
.tm-report .none { color: #57606a; }
.tm-report .id { white-space: nowrap; }
.tm-report figure.matrix { margin: 0; }
.tm-report figure.matrix svg { max-width: 100%; height: auto; }
@media print {
  .tm-report { padding: 0; max-width: none; }
  .tm-report section.break { break-before: page; }
  .tm-report tr { break-inside: avoid; }
  .tm-report thead { display: table-header-group; }
}
@page { size: A4; margin: 14mm 12mm; }
`;

/** A standalone, printable HTML document of the report (no scripts, no external resources). */
export function reportDocument(m: ReportModel, hash: string, matrixSvg: string | null): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta name="generator" content="Traffic Map"><meta name="content-sha256" content="${esc(hash)}">` +
    `<title>Network isolation report — ${esc(m.source)} — ${esc(utc(m.stateAt))}</title>` +
    `<style>${REPORT_CSS}</style></head><body><main class="tm-report">\n${reportBody(m, hash, matrixSvg)}\n</main></body></html>\n`
  );
}
