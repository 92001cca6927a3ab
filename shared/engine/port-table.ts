import { PortSet } from '../model/port-set.ts';

/** Interned port sets: the engine handles small integer ids and memoizes set algebra on them. */
export class PortTable {
  static readonly EMPTY = 0;
  static readonly ALL = 1;

  private readonly sets: PortSet[] = [PortSet.EMPTY, PortSet.ALL];
  private readonly ids = new Map<string, number>([
    [PortSet.EMPTY.key(), PortTable.EMPTY],
    [PortSet.ALL.key(), PortTable.ALL],
  ]);
  private readonly unions = new Map<number, number>();
  private readonly intersections = new Map<number, number>();
  private readonly differences = new Map<number, number>();

  id(set: PortSet): number {
    const key = set.key();
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): PortSet {
    return this.sets[id]!;
  }

  get size(): number {
    return this.sets.length;
  }

  union(a: number, b: number): number {
    if (a === b || b === PortTable.EMPTY || a === PortTable.ALL) return a;
    if (a === PortTable.EMPTY || b === PortTable.ALL) return b;
    const memoKey = a < b ? a * 0x200000 + b : b * 0x200000 + a;
    let r = this.unions.get(memoKey);
    if (r === undefined) {
      r = this.id(this.sets[a]!.union(this.sets[b]!));
      this.unions.set(memoKey, r);
    }
    return r;
  }

  intersect(a: number, b: number): number {
    if (a === b || b === PortTable.ALL || a === PortTable.EMPTY) return a;
    if (b === PortTable.EMPTY || a === PortTable.ALL) return b;
    const memoKey = a < b ? a * 0x200000 + b : b * 0x200000 + a;
    let r = this.intersections.get(memoKey);
    if (r === undefined) {
      r = this.id(this.sets[a]!.intersect(this.sets[b]!));
      this.intersections.set(memoKey, r);
    }
    return r;
  }

  /** a minus b. */
  subtract(a: number, b: number): number {
    if (b === PortTable.EMPTY || a === PortTable.EMPTY) return a;
    if (a === b || b === PortTable.ALL) return PortTable.EMPTY;
    const memoKey = a * 0x200000 + b;
    let r = this.differences.get(memoKey);
    if (r === undefined) {
      r = this.id(this.sets[a]!.subtract(this.sets[b]!));
      this.differences.set(memoKey, r);
    }
    return r;
  }
}
