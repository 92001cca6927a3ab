// The live analysis as the `traffic-map/analysis@1` document, plus what only live mode has: the
// sequence number, the source status, and which parts are unknown.
import { analysisDocument, type AnalysisDocument } from '../../shared/matrix/report.ts';
import type { Group } from '../../shared/matrix/matrix.ts';
import type { ResourceKind, ResourceStatus } from '../cluster/source.ts';
import type { LiveEngine } from './live-engine.ts';

export interface LiveSnapshot extends AnalysisDocument {
  seq: number;
  generatedAt: string;
  source: string;
  status: Record<ResourceKind, ResourceStatus[]>;
  /**
   * Namespaces whose pods' isolation is unknown (policies not listed yet, or forbidden): `"all"`
   * or a list. Their nodes carry `"unknown": true` and `isolation` values of null, and no
   * connection to or from them is listed: unknown is never shown as open or protected.
   */
  unknown: 'all' | string[];
}

export function liveSnapshot(engine: LiveEngine, group: Group, source: string): LiveSnapshot {
  const doc = analysisDocument(engine.analysis, group, engine.state.diagnostics());
  const unknown = engine.unknown;
  const isUnknown = (ns: string) => unknown === 'all' || unknown.has(ns);
  const unknownIds = new Set<string>();
  for (const node of doc.nodes) {
    if (node.kind === 'external' || !isUnknown(node.namespace)) continue;
    unknownIds.add(node.id);
    Object.assign(node, { unknown: true, isolation: { ingress: null, egress: null } });
  }
  return {
    ...doc,
    connections: doc.connections.filter((c) => !unknownIds.has(c.from) && !unknownIds.has(c.to)),
    seq: engine.seq,
    generatedAt: new Date().toISOString(),
    source,
    status: engine.state.status(),
    unknown: unknown === 'all' ? 'all' : [...unknown].sort(),
  };
}
