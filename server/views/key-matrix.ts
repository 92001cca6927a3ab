// The allowed port sets between every source key and destination key of an analysis, stored
// sparsely (only non-empty entries, by row and by column), shared by every view of that analysis.
// Analyses derived with `withPods` share the port table and keep their keys' meanings, adding
// keys at the end: the matrix then only computes the new rows and columns.
import type { EndpointRef } from '../../shared/engine/analysis.ts';
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import type { PortTable } from '../../shared/engine/port-table.ts';

export class KeyMatrix {
  /** Per source key: flat `[destinationKey, portSetId, ...]` of the non-empty entries. */
  readonly rows: number[][] = [];
  /** Per destination key: flat `[sourceKey, portSetId, ...]`. */
  readonly cols: number[][] = [];
  /** By side, external and key: the port-set id (holes = not computed yet). */
  private readonly externalMemo: [number[][], number[][]] = [[], []];
  private analysis: EngineAnalysis;

  private constructor(a: EngineAnalysis) {
    this.analysis = a;
    this.extend(a);
  }

  private static readonly byPortTable = new WeakMap<PortTable, KeyMatrix>();

  /** The matrix of `a`: the one of its lineage, brought up to its keys, or a new one. */
  static of(a: EngineAnalysis): KeyMatrix {
    let m = KeyMatrix.byPortTable.get(a.portTable);
    if (!m) {
      m = new KeyMatrix(a);
      KeyMatrix.byPortTable.set(a.portTable, m);
    } else if (m.analysis !== a) {
      m.extend(a);
    }
    return m;
  }

  private extend(a: EngineAnalysis): void {
    this.analysis = a;
    const oldS = this.rows.length;
    const oldD = this.cols.length;
    const S = a.sourceKeyCount;
    const D = a.destinationKeyCount;
    for (let d = oldD; d < D; d++) this.cols.push([]);
    for (let s = oldS; s < S; s++) this.rows.push([]);
    // New rows against every column, then old rows against the new columns.
    for (let s = 0; s < S; s++) {
      const from = s < oldS ? oldD : 0;
      const row = this.rows[s]!;
      for (let d = from; d < D; d++) {
        const id = a.keyAllowedId(s, d);
        if (id === 0) continue;
        row.push(d, id);
        this.cols[d]!.push(s, id);
      }
    }
  }

  /**
   * Port-set id between an external range and a key, through a pod that has the key (the answer
   * depends only on the key). Memoized for the lineage.
   */
  external(external: number, side: 'from' | 'to', key: number, pod: number): number {
    const memo = (this.externalMemo[side === 'from' ? 0 : 1][external] ??= []);
    let id = memo[key];
    if (id === undefined) {
      const ext: EndpointRef = { kind: 'external', index: external };
      const p: EndpointRef = { kind: 'pod', index: pod };
      id = side === 'from' ? this.analysis.allowedPortsId(ext, p) : this.analysis.allowedPortsId(p, ext);
      memo[key] = id;
    }
    return id;
  }
}
