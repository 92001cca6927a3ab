// The cells of a view, from members (see members.ts) and the sparse key matrix: a node's row is
// the sum, over its source keys, of the non-empty entries of those keys, spread to the nodes
// holding each destination key. Work is proportional to what is allowed, never nodes².
import type { EngineAnalysis } from '../../shared/engine/engine.ts';
import { PortTable } from '../../shared/engine/port-table.ts';
import type { PortsJSON, ViewCell, ViewSpec } from '../../shared/protocol/view.ts';
import { KeyMatrix } from './key-matrix.ts';
import { KEY_STRIDE, representative, type Membership, type Member } from './members.ts';

/** Pod-level key of an external range: far above any pod key (keys are at most one per class). */
export const EXTERNAL_KEY_BASE = 1 << 24;

interface Accumulator {
  ports: number;
  allowed: number;
}

/** One update's view of an analysis: members indexed by key, port-set helpers. */
export class CellContext {
  private readonly json = new Map<number, PortsJSON>();
  private readonly hasPort = new Map<number, boolean>();
  readonly keys: KeyMatrix;

  /**
   * `portSets`: port sets by canonical text, kept by the caller across contexts, so that equal sets
   * are one object in every cell made with it (cells then compare by identity).
   */
  constructor(
    readonly a: EngineAnalysis,
    private readonly port: ViewSpec['port'],
    private readonly membership: Membership,
    private readonly portSets = new Map<string, PortsJSON>(),
  ) {
    this.keys = KeyMatrix.of(a);
  }

  private readonly texts = new Map<number, string>();

  /** Canonical text of a port set (equal sets, equal texts, across analyses). */
  portsText(id: number): string {
    let t = this.texts.get(id);
    if (t === undefined) {
      const set = this.a.portTable.get(id);
      this.texts.set(id, (t = set.key()));
      if (!this.portSets.has(t)) this.portSets.set(t, set.toJSON());
    }
    return t;
  }

  /** The JSON of a set whose text `portsText` gave. */
  portsJSONOfText(text: string): PortsJSON {
    return this.portSets.get(text)!;
  }

  portsJSON(id: number): PortsJSON {
    let j = this.json.get(id);
    if (j === undefined) this.json.set(id, (j = this.portsJSONOfText(this.portsText(id))));
    return j;
  }

  /** Does this allowed set count for the view (non-empty, and has the port of interest when set)? */
  counts(id: number): boolean {
    if (id === PortTable.EMPTY) return false;
    if (!this.port) return true;
    let h = this.hasPort.get(id);
    if (h === undefined) this.hasPort.set(id, (h = this.a.portTable.get(id).has(this.port.protocol, this.port.port)));
    return h;
  }

  /** The non-empty cells from `from` to every node (by node id). */
  row(from: Member): Map<string, ViewCell> {
    const acc = new Map<Member, Accumulator>();
    for (const [sk, src] of from.sources) {
      const entries = this.keys.rows[sk]!;
      for (let i = 0; i < entries.length; i += 2) {
        const dk = entries[i]!;
        const id = entries[i + 1]!;
        if (!this.counts(id)) continue;
        for (const [member, count] of this.membership.byDestination.get(dk) ?? []) {
          const pairs = src.count * count - (member === from ? (from.selfPairs.get(sk * KEY_STRIDE + dk) ?? 0) : 0);
          if (pairs > 0) add(acc, member, pairs, id, this.a.portTable);
        }
      }
    }
    return this.finish(acc, from);
  }

  /** The non-empty cells from every node to `to`. */
  col(to: Member): Map<string, ViewCell> {
    const acc = new Map<Member, Accumulator>();
    for (const [dk, dst] of to.destinations) {
      const entries = this.keys.cols[dk]!;
      for (let i = 0; i < entries.length; i += 2) {
        const sk = entries[i]!;
        const id = entries[i + 1]!;
        if (!this.counts(id)) continue;
        for (const [member, count] of this.membership.bySource.get(sk) ?? []) {
          const pairs = count * dst.count - (member === to ? (to.selfPairs.get(sk * KEY_STRIDE + dk) ?? 0) : 0);
          if (pairs > 0) add(acc, member, pairs, id, this.a.portTable);
        }
      }
    }
    return this.finish(acc, to);
  }

  /** The cell from one node to another, from their keys alone (for a node whose row is not recomputed). */
  cell(from: Member, to: Member): ViewCell | null {
    const acc = new Map<Member, Accumulator>();
    for (const [sk, src] of from.sources) {
      for (const [dk, dst] of to.destinations) {
        const id = this.a.keyAllowedId(sk, dk);
        if (!this.counts(id)) continue;
        const pairs = src.count * dst.count - (from === to ? (from.selfPairs.get(sk * KEY_STRIDE + dk) ?? 0) : 0);
        if (pairs > 0) add(acc, to, pairs, id, this.a.portTable);
      }
    }
    return this.finish(acc, from).get(to.node.id) ?? null;
  }

  /** Cell between an external range and a node: `side` says which end the external is. */
  externalCell(external: number, node: Member, side: 'from' | 'to'): ViewCell | null {
    const keys = side === 'from' ? node.destinations : node.sources;
    let ports = PortTable.EMPTY;
    let allowed = 0;
    let total = 0;
    for (const [key, k] of keys) {
      total += k.count;
      const id = this.keys.external(external, side, key, representative(this.a, k));
      if (!this.counts(id)) continue;
      allowed += k.count;
      ports = this.a.portTable.union(ports, id);
    }
    return allowed === 0 ? null : { ports: this.portsJSON(ports), allowed, total };
  }

  private finish(acc: Map<Member, Accumulator>, self: Member): Map<string, ViewCell> {
    const out = new Map<string, ViewCell>();
    for (const [other, x] of acc) {
      // Every pod of one node pairs once with every other pod of the other (not with itself).
      const total = self.node.pods * other.node.pods - (other === self ? self.node.pods : 0);
      out.set(other.node.id, { ports: this.portsJSON(x.ports), allowed: x.allowed, total });
    }
    return out;
  }
}

function add(acc: Map<Member, Accumulator>, member: Member, pairs: number, id: number, table: PortTable): void {
  const x = acc.get(member);
  if (x) {
    x.allowed += pairs;
    x.ports = table.union(x.ports, id);
  } else {
    acc.set(member, { ports: id, allowed: pairs });
  }
}
