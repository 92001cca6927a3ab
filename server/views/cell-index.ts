// A view's cells held three ways: flat by `from\tto` (what snapshots read), by row and by column
// (what updates read: a node's old cells without building or splitting a key per cell). Every
// write goes through here so the three never disagree.
import { cellKey, type ViewCell } from '../../shared/protocol/view.ts';

export type CellsByNode = Map<string, Map<string, ViewCell>>;

export function putCell(cells: CellsByNode, a: string, b: string, cell: ViewCell): void {
  const inner = cells.get(a);
  if (inner) inner.set(b, cell);
  else cells.set(a, new Map([[b, cell]]));
}

export class CellIndex {
  private readonly byRow: CellsByNode = new Map();
  private readonly byCol: CellsByNode = new Map();

  constructor(private readonly flat: Map<string, ViewCell>) {}

  /** The cells of `from`'s row, by destination node. */
  row(from: string): ReadonlyMap<string, ViewCell> | undefined {
    return this.byRow.get(from);
  }

  /** The cells of `to`'s column, by source node. */
  col(to: string): ReadonlyMap<string, ViewCell> | undefined {
    return this.byCol.get(to);
  }

  /** Every node with a row, and every row. */
  rows(): IterableIterator<[string, Map<string, ViewCell>]> {
    return this.byRow.entries();
  }

  set(from: string, to: string, cell: ViewCell): void {
    putCell(this.byRow, from, to, cell);
    putCell(this.byCol, to, from, cell);
    this.flat.set(cellKey(from, to), cell);
  }

  delete(from: string, to: string): void {
    const row = this.byRow.get(from);
    if (!row?.delete(to)) return;
    if (row.size === 0) this.byRow.delete(from);
    const col = this.byCol.get(to)!;
    col.delete(from);
    if (col.size === 0) this.byCol.delete(to);
    this.flat.delete(cellKey(from, to));
  }
}
