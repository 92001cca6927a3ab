// Evaluates label selectors over namespaces and pod classes, each distinct selector once per scope.
import type { LabelSelector, Namespace } from '../model/types.ts';
import { selectorKey, selectorMatches } from '../policy/selector.ts';
import type { PodClass } from './classes.ts';

export class Selection {
  private classesByNamespace = new Map<string, number[]>();
  /** `namespace key=value` -> classes with that label, to start matchLabels selectors from a short list. */
  private classesByLabel = new Map<string, number[]>();
  /** `key=value` -> classes with that label in any namespace. */
  private classesByGlobalLabel = new Map<string, number[]>();
  private readonly namespaceMemo = new Map<string, string[]>();
  private readonly namespaceSetMemo = new Map<string, Set<string>>();
  private everywhereMemo = new Map<string, number[]>();
  private podMemo = new Map<string, number[]>();
  /** Selector objects recur (one per peer, queried per namespace): compute their key once. */
  private readonly keys = new WeakMap<LabelSelector, string>();

  constructor(
    private readonly classes: readonly PodClass[],
    private readonly namespaces: readonly Namespace[],
    shareClassIndexesOf?: Selection,
  ) {
    if (shareClassIndexesOf) {
      // Same classes: their indexes and per-namespace selections stay valid; namespace ones do not.
      this.classesByNamespace = shareClassIndexesOf.classesByNamespace;
      this.classesByLabel = shareClassIndexesOf.classesByLabel;
      this.classesByGlobalLabel = shareClassIndexesOf.classesByGlobalLabel;
      this.podMemo = shareClassIndexesOf.podMemo;
      this.everywhereMemo = shareClassIndexesOf.everywhereMemo;
      return;
    }
    classes.forEach((c, id) => {
      push(this.classesByNamespace, c.namespace, id);
      for (const k in c.labels) {
        push(this.classesByLabel, `${c.namespace}\u0000${k}=${c.labels[k]}`, id);
        push(this.classesByGlobalLabel, `${k}=${c.labels[k]}`, id);
      }
    });
  }

  /** Names of the namespaces whose labels match. */
  private keyOf(selector: LabelSelector): string {
    let key = this.keys.get(selector);
    if (key === undefined) {
      key = selectorKey(selector);
      this.keys.set(selector, key);
    }
    return key;
  }

  namespacesMatching(selector: LabelSelector): string[] {
    const key = this.keyOf(selector);
    let out = this.namespaceMemo.get(key);
    if (!out) {
      out = this.namespaces.filter((ns) => selectorMatches(selector, ns.labels)).map((ns) => ns.name);
      this.namespaceMemo.set(key, out);
    }
    return out;
  }

  namespaceSet(selector: LabelSelector): Set<string> {
    const key = this.keyOf(selector);
    let out = this.namespaceSetMemo.get(key);
    if (!out) {
      out = new Set(this.namespacesMatching(selector));
      this.namespaceSetMemo.set(key, out);
    }
    return out;
  }

  /** Classes of every namespace whose labels match (for peers that span namespaces). */
  classesMatchingEverywhere(selector: LabelSelector): number[] {
    const key = this.keyOf(selector);
    let out = this.everywhereMemo.get(key);
    if (!out) {
      const first = Object.keys(selector.matchLabels)[0];
      const candidates =
        first === undefined ? this.classes.map((_, id) => id) : (this.classesByGlobalLabel.get(`${first}=${selector.matchLabels[first]}`) ?? []);
      out = candidates.filter((id) => selectorMatches(selector, this.classes[id]!.labels));
      this.everywhereMemo.set(key, out);
    }
    return out;
  }

  /** Classes in `namespace` whose labels match (undefined selector = all pods of the namespace). */
  classesMatching(namespace: string, selector: LabelSelector | undefined): number[] {
    const inNamespace = this.classesByNamespace.get(namespace) ?? [];
    if (!selector) return inNamespace;
    const key = `${namespace}\u0000${this.keyOf(selector)}`;
    let out = this.podMemo.get(key);
    if (!out) {
      const first = Object.keys(selector.matchLabels)[0];
      if (first === undefined) {
        out = inNamespace.filter((id) => selectorMatches(selector, this.classes[id]!.labels));
      } else {
        const candidates = this.classesByLabel.get(`${namespace}\u0000${first}=${selector.matchLabels[first]}`) ?? [];
        out = candidates.filter((id) => selectorMatches(selector, this.classes[id]!.labels));
      }
      this.podMemo.set(key, out);
    }
    return out;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
