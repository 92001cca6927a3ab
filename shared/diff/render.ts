// The text and CSV forms of a `traffic-map/diff@1` document.
import { allowedText, reasonText } from '../matrix/report.ts';
import type { DiffDocument } from './document.ts';
import type { CellSide, ConnectionChange, NodeChange, NodeState, PolicyChange, Ports } from './types.ts';

const portsText = (ports: Ports) => (ports !== 'all' && ports.length === 0 ? 'none' : allowedText(ports));

const TIER_KIND: Record<PolicyChange['tier'], string> = { np: 'NetworkPolicy', anp: 'AdminNetworkPolicy', banp: 'BaselineAdminNetworkPolicy' };

function reasons(side: CellSide | null): string {
  if (!side?.reasons) return '';
  return `egress: ${reasonText(side.reasons.egress)}; ingress: ${reasonText(side.reasons.ingress)}`;
}

function pairsText(side: CellSide | null): string {
  return side?.pairs ? `${side.pairs.allowed}/${side.pairs.total}` : '';
}

/** Pod pairs behind a grouped cell, when they say more than the ports: only some pairs, or a change in how many. */
function pairsNote(c: ConnectionChange): string {
  const was = c.before?.pairs;
  const now = c.after?.pairs;
  if (!now) return '';
  const notes: string[] = [];
  if (c.change === 'gained') {
    if (now.allowed < now.total) notes.push(`${now.allowed}/${now.total} pod pairs`);
  } else {
    if (was && (was.allowed !== now.allowed || now.allowed < now.total)) notes.push(`${was.allowed}/${was.total} -> ${now.allowed}/${now.total} pod pairs allowed`);
    if (c.pairsChanged !== undefined && c.pairsChanged > 0 && c.pairsChanged < now.total) notes.push(`${c.pairsChanged} of ${now.total} pod pairs changed`);
  }
  return notes.length > 0 ? `  (${notes.join('; ')})` : '';
}

function connectionLine(c: ConnectionChange): string {
  const head = `${c.from} => ${c.to}`;
  if (c.change === 'gained') return `+ ${head} : ${portsText(c.gained)}${pairsNote(c)}  [${reasons(c.after)}]`;
  if (c.change === 'lost') return `- ${head} : ${portsText(c.lost)}  [was ${reasons(c.before)}]`;
  const delta = [c.gained, c.lost].map((p, i) => (portsText(p) === 'none' ? '' : `${i === 0 ? '+' : '-'}${portsText(p)}`)).filter(Boolean).join(' ');
  return `~ ${head} : ${delta}, now ${portsText(c.after!.allowed)} (was ${portsText(c.before!.allowed)})${pairsNote(c)}  [${reasons(c.after)}]`;
}

function directions(counts: { ingress: number; egress: number }): string {
  return [counts.ingress > 0 ? 'ingress' : '', counts.egress > 0 ? 'egress' : ''].filter(Boolean).join(' + ');
}

function stateText(s: NodeState): string {
  const pods = `${s.pods} pod${s.pods === 1 ? '' : 's'}`;
  const open = directions(s.unprotected);
  if (!open) return `${pods}, protected`;
  if (s.pods === 1) return `${pods}, unprotected for ${open}`;
  return `${pods}, unprotected: ${s.unprotected.ingress} for ingress, ${s.unprotected.egress} for egress`;
}

function nodeLine(n: NodeChange): string {
  if (n.change === 'appeared') return `+ ${n.id}: appeared, ${stateText(n.after!)}`;
  if (n.change === 'disappeared') return `- ${n.id}: disappeared (was ${stateText(n.before!)})`;
  const parts: string[] = [];
  for (const d of ['ingress', 'egress'] as const) {
    if (n.becameUnprotected[d] > 0) parts.push(`${n.becameUnprotected[d]} pod${n.becameUnprotected[d] === 1 ? '' : 's'} became unprotected for ${d}`);
    if (n.becameProtected[d] > 0) parts.push(`${n.becameProtected[d]} pod${n.becameProtected[d] === 1 ? '' : 's'} became protected for ${d}`);
  }
  const mark = n.becameUnprotected.ingress + n.becameUnprotected.egress > 0 ? '!' : '~';
  return `${mark} ${n.id}: ${[...parts, `now ${stateText(n.after!)}, was ${stateText(n.before!)}`].join('; ')}`;
}

function policyLine(p: PolicyChange): string {
  const name = `${TIER_KIND[p.tier]} ${p.id}`;
  const where = p.source?.after ?? p.source?.before;
  const from = where ? `  (${where})` : '';
  if (p.change === 'added') return `+ ${name}${from}`;
  if (p.change === 'deleted') return `- ${name}${from}`;
  return `~ ${name}: ${p.fields!.join(', ')}${from}`;
}

export function renderDiffText(doc: DiffDocument): string {
  const s = doc.summary;
  const level = doc.options.group;
  const lines = [
    `# diff at ${level} level`,
    `# before: ${doc.before.description} (${doc.before.at})`,
    `# after:  ${doc.after.description} (${doc.after.at})`,
    `# connections: ${s.connections.gained} gained, ${s.connections.lost} lost, ${s.connections.changed} changed; ` +
      `pods became unprotected: ${s.podsBecameUnprotected.ingress} for ingress, ${s.podsBecameUnprotected.egress} for egress; ` +
      `policies: ${s.policies.added} added, ${s.policies.changed} changed, ${s.policies.deleted} deleted`,
  ];
  if (doc.connections.length + doc.nodes.length + doc.policies.length + doc.findings.added.length + doc.findings.removed.length === 0) lines.push('# no change');
  for (const c of doc.connections) lines.push(connectionLine(c));
  const sections: [string, string[]][] = [
    [`# ${level === 'pod' ? 'pods' : `${level}s`}`, doc.nodes.map(nodeLine)],
    ['# policies', doc.policies.map(policyLine)],
    ['# findings', [...doc.findings.added.map((f) => `+ ${f.severity}: ${f.message}`), ...doc.findings.removed.map((f) => `- ${f.severity}: ${f.message}`)]],
    ['# notes', doc.notes],
  ];
  for (const [title, items] of sections) if (items.length > 0) lines.push('', title, ...items);
  return lines.join('\n') + '\n';
}

/** One row per changed connection; the reasons are the rules allowing it now (before, for a lost one). */
export function renderDiffCsv(doc: DiffDocument): string {
  const rows = [['change', 'from', 'to', 'gained', 'lost', 'before', 'after', 'pairs_before', 'pairs_after', 'pairs_changed', 'egress_reason', 'ingress_reason']];
  for (const c of doc.connections) {
    const side = c.change === 'lost' ? c.before : c.after;
    rows.push([
      c.change,
      c.from,
      c.to,
      portsText(c.gained),
      portsText(c.lost),
      c.before ? portsText(c.before.allowed) : '',
      c.after ? portsText(c.after.allowed) : '',
      pairsText(c.before),
      pairsText(c.after),
      c.pairsChanged === undefined ? '' : String(c.pairsChanged),
      side?.reasons ? reasonText(side.reasons.egress) : '',
      side?.reasons ? reasonText(side.reasons.ingress) : '',
    ]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
