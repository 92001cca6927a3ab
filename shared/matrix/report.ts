// The public `traffic-map/analysis@1` document and its text and CSV renderings.
import type { DirectionReason, Finding } from '../engine/analysis.ts';
import type { EngineAnalysis } from '../engine/engine.ts';
import type { PortRange } from '../model/port-set.ts';
import type { Diagnostic } from '../model/types.ts';
import { buildMatrix, type Group, type MatrixNode } from './matrix.ts';

export const ANALYSIS_SCHEMA = 'traffic-map/analysis@1';

export interface AnalysisConnection {
  from: string;
  to: string;
  allowed: 'all' | PortRange[];
  reasons: { ingress: DirectionReason; egress: DirectionReason };
  pairs?: { allowed: number; total: number };
}

export interface ExcludedPod {
  id: string;
  workload: string;
  reason: 'hostNetwork' | 'finished' | 'terminated';
}

export interface AnalysisDocument {
  schema: typeof ANALYSIS_SCHEMA;
  options: { group: Group; ipBlockMatchesPods: boolean };
  nodes: MatrixNode[];
  connections: AnalysisConnection[];
  findings: Finding[];
  /** Pods outside the matrix: host-network pods and pods that have finished. */
  excluded: ExcludedPod[];
  diagnostics: Diagnostic[];
}

export function analysisDocument(a: EngineAnalysis, group: Group, diagnostics: readonly Diagnostic[]): AnalysisDocument {
  const matrix = buildMatrix(a, group);
  return {
    schema: ANALYSIS_SCHEMA,
    options: { group, ipBlockMatchesPods: a.options.ipBlockMatchesPods },
    nodes: matrix.nodes,
    connections: matrix.cells.map((c) => ({
      from: c.from,
      to: c.to,
      allowed: c.ports.toJSON(),
      reasons: c.reasons,
      ...(c.pairs ? { pairs: c.pairs } : {}),
    })),
    findings: [...a.findings],
    excluded: a.excludedPods.map((p) => ({ id: p.id, workload: p.workload, reason: p.exclusion! })),
    diagnostics: [...diagnostics],
  };
}

export function allowedText(allowed: AnalysisConnection['allowed']): string {
  if (allowed === 'all') return 'all';
  const byProtocol = new Map<string, string[]>();
  for (const r of allowed) {
    const items = byProtocol.get(r.protocol) ?? [];
    items.push(r.port === r.endPort ? `${r.port}` : `${r.port}-${r.endPort}`);
    byProtocol.set(r.protocol, items);
  }
  return [...byProtocol].map(([protocol, items]) => `${protocol} ${items.join(',')}`).join(' ');
}

const TIER_LABEL = { anp: 'ANP', banp: 'BANP' } as const;

export function reasonText(reason: DirectionReason): string {
  if (reason === 'unisolated') return 'not isolated';
  return reason
    .map((r) => {
      if (r.tier === 'default') return 'no rule (allowed by default)';
      if (r.tier === 'anp' || r.tier === 'banp') return `${TIER_LABEL[r.tier]} ${r.policy} rule ${r.rule} ${r.action ?? ''}`.trimEnd();
      return `${r.policy} rule ${r.rule}`;
    })
    .join(', ');
}

export function renderText(doc: AnalysisDocument): string {
  const lines: string[] = [];
  const counts = unprotectedCounts(doc);
  const externals = doc.nodes.filter((n) => n.kind === 'external').length;
  const level = doc.options.group === 'pod' ? 'pods' : `${doc.options.group}s`;
  lines.push(`# ${doc.connections.length} allowed connections between ${counts.total} ${level} and ${externals} external ranges`);
  lines.push(`# ${level} not fully isolated: ${counts.ingress} for ingress, ${counts.egress} for egress (of ${counts.total})`);
  for (const c of doc.connections) {
    const pairs = c.pairs && c.pairs.allowed !== c.pairs.total ? ` (${c.pairs.allowed}/${c.pairs.total} pod pairs)` : '';
    lines.push(`${c.from} => ${c.to} : ${allowedText(c.allowed)}${pairs}  [egress: ${reasonText(c.reasons.egress)}; ingress: ${reasonText(c.reasons.ingress)}]`);
  }
  if (doc.findings.length > 0) {
    lines.push('', '# findings');
    for (const f of doc.findings) lines.push(`${f.severity}: ${f.message}`);
  }
  if (doc.excluded.length > 0) {
    lines.push('', '# not in the matrix');
    for (const p of doc.excluded) lines.push(`${p.id}: ${p.reason === 'hostNetwork' ? 'host network, not governed by NetworkPolicy' : `pod ${p.reason}`}`);
  }
  return lines.join('\n') + '\n';
}

export function renderCsv(doc: AnalysisDocument): string {
  const rows = [['from', 'to', 'allowed', 'egress_reason', 'ingress_reason', 'pairs_allowed', 'pairs_total']];
  for (const c of doc.connections) {
    rows.push([
      c.from,
      c.to,
      allowedText(c.allowed),
      reasonText(c.reasons.egress),
      reasonText(c.reasons.ingress),
      c.pairs ? String(c.pairs.allowed) : '',
      c.pairs ? String(c.pairs.total) : '',
    ]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function unprotectedCounts(doc: AnalysisDocument): { ingress: number; egress: number; total: number } {
  let ingress = 0;
  let egress = 0;
  let total = 0;
  for (const n of doc.nodes) {
    if (n.kind === 'external') continue;
    total++;
    if (!n.isolation.ingress) ingress++;
    if (!n.isolation.egress) egress++;
  }
  return { ingress, egress, total };
}
