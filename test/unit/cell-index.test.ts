// The cell index keeps the flat map, the rows and the columns in agreement through random writes.
import { describe, expect, it } from 'vitest';
import { CellIndex } from '../../server/views/cell-index.ts';
import type { ViewCell } from '../../shared/protocol/view.ts';
import { Random } from '../support/random-cluster.ts';

type Entry = [from: string, to: string, cell: ViewCell];

describe('CellIndex', () => {
  it('rows, columns and the flat map agree with a plain list of cells through 5,000 random sets and deletes', () => {
    const r = new Random(31);
    const ids = ['a', 'b', 'c', 'ns/x', 'ip:10.0.0.0/8', 'd'];
    const flat = new Map<string, ViewCell>();
    const index = new CellIndex(flat);
    const expected = new Map<string, Entry>();
    const agree = (where: string) => {
      const all = [...expected.values()];
      expect(flat, where).toEqual(new Map([...expected].map(([k, [, , c]]) => [k, c])));
      for (const id of ids) {
        const row = all.filter(([f]) => f === id);
        const col = all.filter(([, t]) => t === id);
        // No empty row or column is kept: a node without cells is forgotten.
        if (row.length === 0) expect(index.row(id), `${where} row ${id}`).toBeUndefined();
        else expect(index.row(id), `${where} row ${id}`).toEqual(new Map(row.map(([, t, c]) => [t, c])));
        if (col.length === 0) expect(index.col(id), `${where} col ${id}`).toBeUndefined();
        else expect(index.col(id), `${where} col ${id}`).toEqual(new Map(col.map(([f, , c]) => [f, c])));
      }
      for (const [f, t, c] of all) expect(index.row(f)?.get(t), where).toBe(c);
      expect(new Map([...index.rows()].map(([f, row]) => [f, new Map(row)])), where).toEqual(
        new Map(ids.filter((id) => all.some(([f]) => f === id)).map((id) => [id, index.row(id)])),
      );
    };
    for (let step = 1; step <= 5000; step++) {
      const from = r.pick(ids);
      const to = r.pick(ids);
      // Mostly sets, then mostly deletes: rows and columns fill up and empty again.
      if (r.chance(step <= 2500 ? 0.6 : 0.2)) {
        const cell: ViewCell = { ports: 'all', allowed: r.int(1, 4), total: 4 };
        index.set(from, to, cell);
        expected.set(`${from}\t${to}`, [from, to, cell]);
      } else {
        index.delete(from, to);
        expected.delete(`${from}\t${to}`);
      }
      if (step % 250 === 0) agree(`step ${step}`);
    }
  });
});
