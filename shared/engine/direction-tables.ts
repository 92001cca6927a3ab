// Per-direction tables of the class engine: classes grouped by the policies that apply to them,
// and classes and address atoms grouped into "profiles" by the rules whose peers match them.
import type { ClassSet } from './classes.ts';
import type { CompiledRule } from './rules.ts';

export interface Profile {
  rules: number[];
  /** Named-ports id for pod classes, -1 for external atoms. */
  namedPorts: number;
  external: boolean;
}

/** One direction's groups (of the policies that apply to a class) and profiles (of the rules whose peers match). */
export class DirectionTables<R extends CompiledRule = CompiledRule> {
  /** Group 0 = no policy applies. Each group lists policy indexes and the rules they bring, in policy order. */
  readonly groupRules: number[][] = [[]];
  readonly groupPolicies: number[][] = [[]];
  groupOfClass: Int32Array;
  readonly profiles: Profile[] = [];
  profileOfClass: Int32Array;
  readonly profileOfAtom: Int32Array;
  private readonly groupIds = new Map<string, number>([['', 0]]);
  private readonly profileIds = new Map<string, number>();
  /** Rule ids of each policy (by policy index). */
  readonly rulesOfPolicy: number[][] = [];

  constructor(
    readonly rules: R[],
    classCount: number,
    atomCount: number,
  ) {
    this.groupOfClass = new Int32Array(classCount);
    this.profileOfClass = new Int32Array(classCount);
    this.profileOfAtom = new Int32Array(atomCount);
    rules.forEach((r, id) => (this.rulesOfPolicy[r.policy] ??= []).push(id));
  }

  /**
   * A copy with room for more classes; groups, profiles and their ids stay shared (they only
   * grow). Rules are copied as a list, so that a rule whose matches grow can be replaced.
   */
  withClassCapacity(classCount: number): DirectionTables<R> {
    const copy = Object.create(DirectionTables.prototype) as DirectionTables<R>;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(classCount);
      b.set(a);
      return b;
    };
    return Object.assign(copy, this, {
      rules: [...this.rules],
      groupOfClass: grow(this.groupOfClass),
      profileOfClass: grow(this.profileOfClass),
    });
  }

  internGroup(policies: readonly number[]): number {
    const key = policies.join(',');
    let id = this.groupIds.get(key);
    if (id === undefined) {
      id = this.groupRules.length;
      this.groupRules.push(policies.flatMap((p) => this.rulesOfPolicy[p] ?? []));
      this.groupPolicies.push([...policies]);
      this.groupIds.set(key, id);
    }
    return id;
  }

  internProfile(rules: number[], namedPorts: number, external: boolean): number {
    const key = `${external ? 'x' : namedPorts}:${rules.join(',')}`;
    let id = this.profileIds.get(key);
    if (id === undefined) {
      id = this.profiles.length;
      this.profiles.push({ rules, namedPorts, external });
      this.profileIds.set(key, id);
    }
    return id;
  }

  /** Each class's group, from the classes each policy selects (null: it does not apply in this direction). */
  assignGroups(selected: readonly (readonly number[] | null)[]): void {
    // As for profiles below: each class's policy list grows as a path in a trie.
    const lists = new IdLists();
    const state = new Int32Array(this.groupOfClass.length);
    selected.forEach((classes, pi) => {
      if (classes) for (const c of classes) state[c] = lists.extend(state[c]!, pi);
    });
    const groups = new Map<number, number>([[0, 0]]);
    state.forEach((s, c) => {
      let g = groups.get(s);
      if (g === undefined) {
        g = this.internGroup(lists.ids(s));
        groups.set(s, g);
      }
      this.groupOfClass[c] = g;
    });
  }

  /** Each class's and atom's profile; classes carry their named ports when the peer is the destination. */
  assignProfiles(classSet: ClassSet, namedPortsMatter: boolean): void {
    // Each class's (atom's) rule list grows rule by rule as a path in a trie, so equal lists meet
    // in one state without building or comparing the lists; a profile is then interned per state.
    const lists = new IdLists();
    const classState = new Int32Array(classSet.classes.length);
    const atomState = new Int32Array(this.profileOfAtom.length);
    this.rules.forEach((r, id) => {
      for (const c of r.classes) classState[c] = lists.extend(classState[c]!, id);
      for (const a of r.atoms) atomState[a] = lists.extend(atomState[a]!, id);
    });
    const profiles = new Map<string, number>();
    const profileOf = (state: number, namedPorts: number, external: boolean): number => {
      const key = `${state}:${external ? 'x' : namedPorts}`;
      let id = profiles.get(key);
      if (id === undefined) {
        id = this.internProfile(lists.ids(state), namedPorts, external);
        profiles.set(key, id);
      }
      return id;
    };
    classState.forEach((state, c) => {
      this.profileOfClass[c] = profileOf(state, namedPortsMatter ? classSet.classes[c]!.namedPorts : 0, false);
    });
    atomState.forEach((state, a) => {
      this.profileOfAtom[a] = profileOf(state, -1, true);
    });
  }
}

/** Lists of ascending ids (rules, policies) as states of a trie: state 0 is the empty list. */
class IdLists {
  private readonly parent: number[] = [-1];
  private readonly last: number[] = [-1];
  private readonly children = new Map<number, number>();

  extend(state: number, id: number): number {
    // One number per (state, id): exact while ids stay below 2^26 and states below 2^27.
    const key = state * 0x4000000 + id;
    let next = this.children.get(key);
    if (next === undefined) {
      next = this.parent.push(state) - 1;
      this.last.push(id);
      this.children.set(key, next);
    }
    return next;
  }

  ids(state: number): number[] {
    const out: number[] = [];
    for (let s = state; s > 0; s = this.parent[s]!) out.push(this.last[s]!);
    return out.reverse();
  }
}
