// One side of a diff: its pods grouped into the level's nodes, and, per node, the pods grouped by
// source key and destination key (pods with equal keys get equal answers), so a cell costs
// (keys of A) x (keys of B) look-ups, never pods². The same grouping as the analysis matrix.
import type { Connection, EndpointRef } from '../engine/analysis.ts';
import type { EngineAnalysis } from '../engine/engine.ts';
import { PortTable } from '../engine/port-table.ts';
import { mergeReasons, type Group } from '../matrix/matrix.ts';
import type { CellSide } from './types.ts';
import { addToKeyGroup, nodeIdOf, type KeyGroup } from '../matrix/key-groups.ts';

export interface NodeMembers {
  sources: KeyGroup[];
  destinations: KeyGroup[];
  /** Pods by (source key, destination key): on the diagonal a pod's pair with itself is removed. */
  selfPairs: Map<number, number>;
  /** Pod indexes of the node. */
  pods: number[];
}

/** A cell on one side: a port-set id of the side's table, pairs, and (only when described) the connections behind it, for reasons. */
export interface CellState {
  ports: number;
  pairs: { allowed: number; total: number };
  connections: () => Connection[];
}

export class DiffSide {
  /** Node id of each pod (by pod index). */
  readonly nodeOfPod: string[];
  readonly members = new Map<string, NodeMembers>();
  private readonly width: number;
  private readonly reasonsMemo = new Map<number, Connection>();
  private readonly pairCells = new Map<number, CellState>();
  private readonly descriptions = new Map<CellState, CellSide>();

  constructor(
    readonly analysis: EngineAnalysis,
    readonly group: Group,
  ) {
    const a = analysis;
    this.width = a.destinationKeyCount;
    const building = new Map<string, { sources: Map<number, KeyGroup>; destinations: Map<number, KeyGroup>; selfPairs: Map<number, number>; pods: number[] }>();
    this.nodeOfPod = a.pods.map((_, i) => {
      const id = nodeIdOf(a, group, i);
      let m = building.get(id);
      if (!m) building.set(id, (m = { sources: new Map(), destinations: new Map(), selfPairs: new Map(), pods: [] }));
      const c = a.classSet.classOfPod[i]!;
      const sk = a.sourceKeyOfClass[c]!;
      const dk = a.destinationKeyOfClass[c]!;
      addToKeyGroup(m.sources, sk, i);
      addToKeyGroup(m.destinations, dk, i);
      m.selfPairs.set(sk * this.width + dk, (m.selfPairs.get(sk * this.width + dk) ?? 0) + 1);
      m.pods.push(i);
      return id;
    });
    for (const [id, m] of building) {
      this.members.set(id, { sources: [...m.sources.values()], destinations: [...m.destinations.values()], selfPairs: m.selfPairs, pods: m.pods });
    }
  }

  sourceKeyOf(podIndex: number): number {
    return this.analysis.sourceKeyOfClass[this.analysis.classSet.classOfPod[podIndex]!]!;
  }

  destinationKeyOf(podIndex: number): number {
    return this.analysis.destinationKeyOfClass[this.analysis.classSet.classOfPod[podIndex]!]!;
  }

  /** Just the ports of a cell between two nodes' members (no reasons, no allocation). */
  portsBetween(src: NodeMembers, dst: NodeMembers, same: boolean): number {
    const a = this.analysis;
    let ports = PortTable.EMPTY;
    for (const s of src.sources) {
      for (const d of dst.destinations) {
        if (same && s.count * d.count === (src.selfPairs.get(s.key * this.width + d.key) ?? 0)) continue;
        ports = a.portTable.union(ports, a.keyAllowedId(s.key, d.key));
      }
    }
    return ports;
  }

  /** Just the ports of a cell between an external range and a node's members. */
  portsWithExternal(external: number, m: NodeMembers, role: 'from' | 'to'): number {
    const a = this.analysis;
    const ext: EndpointRef = { kind: 'external', index: external };
    let ports = PortTable.EMPTY;
    for (const g of role === 'from' ? m.destinations : m.sources) {
      const pod: EndpointRef = { kind: 'pod', index: g.representatives[0]! };
      ports = a.portTable.union(ports, role === 'from' ? a.allowedPortsId(ext, pod) : a.allowedPortsId(pod, ext));
    }
    return ports;
  }

  /** The cell between two nodes on this side; null when one of them does not exist here. */
  cell(from: string, to: string): CellState | null {
    const a = this.analysis;
    const src = this.members.get(from);
    const dst = this.members.get(to);
    if (!src || !dst) return null;
    const same = from === to;
    // Two single pods: the cell is their key pair's, shared by every pair of pods with those keys.
    const single = src.pods.length === 1 && dst.pods.length === 1 && !same;
    const pairKey = single ? src.sources[0]!.key * this.width + dst.destinations[0]!.key : -1;
    const known = single ? this.pairCells.get(pairKey) : undefined;
    if (known) return known;
    let ports = PortTable.EMPTY;
    let allowed = 0;
    let total = 0;
    const allowing: [KeyGroup, KeyGroup][] = [];
    for (const s of src.sources) {
      for (const d of dst.destinations) {
        const pairs = s.count * d.count - (same ? (src.selfPairs.get(s.key * this.width + d.key) ?? 0) : 0);
        total += pairs;
        if (pairs === 0) continue;
        const id = a.keyAllowedId(s.key, d.key);
        if (id === PortTable.EMPTY) continue;
        allowed += pairs;
        ports = a.portTable.union(ports, id);
        allowing.push([s, d]);
      }
    }
    // Reasons depend only on the two keys: computed once per key pair, on any distinct pod pair.
    const connections = () =>
      [
        ...new Set(
          allowing.map(([s, d]) => {
            const keyPair = s.key * this.width + d.key;
            let connection = this.reasonsMemo.get(keyPair);
            if (!connection) {
              // pairs > 0: two distinct pods exist among the (up to two) representatives of each side.
              const [p, q] = distinctPair(s.representatives, d.representatives);
              connection = a.connection({ kind: 'pod', index: p }, { kind: 'pod', index: q })!;
              this.reasonsMemo.set(keyPair, connection);
            }
            return connection;
          }),
        ),
      ];
    const state = { ports, pairs: { allowed, total }, connections };
    if (single) this.pairCells.set(pairKey, state);
    return state;
  }

  /** The cell between an external range (index into this side's externals) and a node; null when the node does not exist here. */
  externalCell(external: number, node: string, role: 'from' | 'to'): CellState | null {
    const a = this.analysis;
    const m = this.members.get(node);
    if (!m) return null;
    const ext: EndpointRef = { kind: 'external', index: external };
    let ports = PortTable.EMPTY;
    let allowed = 0;
    let total = 0;
    const allowing: EndpointRef[] = [];
    for (const g of role === 'from' ? m.destinations : m.sources) {
      const pod: EndpointRef = { kind: 'pod', index: g.representatives[0]! };
      total += g.count;
      const id = role === 'from' ? a.allowedPortsId(ext, pod) : a.allowedPortsId(pod, ext);
      if (id === PortTable.EMPTY) continue;
      allowed += g.count;
      ports = a.portTable.union(ports, id);
      allowing.push(pod);
    }
    const connections = () => allowing.map((pod) => (role === 'from' ? a.connection(ext, pod) : a.connection(pod, ext))!);
    return { ports, pairs: { allowed, total }, connections };
  }

  /** The JSON form of a cell state (cells with one state share one description). */
  describe(state: CellState): CellSide {
    let side = this.descriptions.get(state);
    if (!side) this.descriptions.set(state, (side = this.describeState(state)));
    return side;
  }

  private describeState(state: CellState): CellSide {
    const ports = this.analysis.portTable.get(state.ports);
    const side: CellSide = { allowed: ports.isEmpty() ? [] : ports.toJSON() };
    if (this.group !== 'pod') side.pairs = state.pairs;
    if (!ports.isEmpty()) side.reasons = mergeReasons(state.connections());
    return side;
  }
}

function distinctPair(sources: readonly number[], destinations: readonly number[]): [number, number] {
  for (const s of sources) for (const d of destinations) if (s !== d) return [s, d];
  throw new Error('no distinct pod pair among the representatives');
}
