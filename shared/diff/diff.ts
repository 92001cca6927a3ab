// diffAnalyses: what changed between two analyses at one level (pod, workload or namespace):
// connections gained, lost or with other ports, nodes that appeared, disappeared or became
// unprotected or protected, policies of every tier added, changed or deleted, findings.
// Pure: runs in the browser too (what-if, history).
import type { EngineAnalysis } from '../engine/engine.ts';
import type { Group } from '../matrix/matrix.ts';
import { diffConnections } from './connections.ts';
import { diffFindings } from './findings.ts';
import { diffNodes } from './nodes.ts';
import { diffPolicies } from './policies.ts';
import { DiffSide } from './side.ts';
import type { ConnectivityDiff, DiffSummary } from './types.ts';

export interface DiffOptions {
  group: Group;
}

export function diffAnalyses(before: EngineAnalysis, after: EngineAnalysis, options: DiffOptions): ConnectivityDiff {
  const notes: string[] = [];
  if (before.options.ipBlockMatchesPods !== after.options.ipBlockMatchesPods) {
    notes.push(`the two sides were analyzed with different ipBlockMatchesPods (${before.options.ipBlockMatchesPods} before, ${after.options.ipBlockMatchesPods} after)`);
  }
  const b = new DiffSide(before, options.group);
  const a = new DiffSide(after, options.group);
  const connections = diffConnections(b, a, notes);
  const nodes = diffNodes(b, a);
  const policies = diffPolicies(before.cluster, after.cluster);
  const findings = diffFindings(before.findings, after.findings);

  const count = <T,>(items: readonly T[], test: (item: T) => boolean) => items.reduce((n, item) => n + (test(item) ? 1 : 0), 0);
  const sum = (pick: (n: (typeof nodes)[number]) => number) => nodes.reduce((total, n) => total + pick(n), 0);
  const summary: DiffSummary = {
    connections: {
      gained: count(connections, (c) => c.change === 'gained'),
      lost: count(connections, (c) => c.change === 'lost'),
      changed: count(connections, (c) => c.change === 'changed'),
    },
    connectionsWithGainedPorts: count(connections, (c) => c.gained === 'all' || c.gained.length > 0),
    nodes: {
      appeared: count(nodes, (n) => n.change === 'appeared'),
      disappeared: count(nodes, (n) => n.change === 'disappeared'),
      changed: count(nodes, (n) => n.change === 'changed'),
    },
    podsBecameUnprotected: { ingress: sum((n) => n.becameUnprotected.ingress), egress: sum((n) => n.becameUnprotected.egress) },
    podsBecameProtected: { ingress: sum((n) => n.becameProtected.ingress), egress: sum((n) => n.becameProtected.egress) },
    policies: {
      added: count(policies, (p) => p.change === 'added'),
      changed: count(policies, (p) => p.change === 'changed'),
      deleted: count(policies, (p) => p.change === 'deleted'),
    },
    findings: { added: findings.added.length, removed: findings.removed.length },
  };
  return { group: options.group, summary, connections, nodes, policies, findings, notes };
}
