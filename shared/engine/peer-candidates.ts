// Which rules' explicit peers can match a pod class, found from the class's namespace and address
// atoms: live mode tests a new class, or looks for the rules a class that gains or loses its pods
// touches, among a few rules instead of all of them.
import type { LabelSelector, Namespace, NetworkPolicy } from '../model/types.ts';
import { selectorKey, selectorMatches } from '../policy/selector.ts';
import { ipBlockRanges, type IpPartition } from './ip-partition.ts';
import type { CompiledRule, Direction } from './rules.ts';

export class PeerCandidates {
  /** Rules with a peer of the policy's own namespace, by that namespace. */
  private readonly local = new Map<string, number[]>();
  /** Rules with a peer in the namespaces a selector matches, by distinct selector. */
  private readonly crossNamespace = new Map<string, { selector: LabelSelector; rules: number[] }>();
  /** Rules with an ipBlock peer covering an atom of the pod partition, by atom. */
  private readonly byAtom = new Map<number, number[]>();

  /** Valid while the policies and each namespace's labels stay (a rebased chain of analyses). */
  constructor(direction: Direction, rules: readonly CompiledRule[], policies: readonly NetworkPolicy[], podPartition: IpPartition | null) {
    rules.forEach((rule, r) => {
      if (rule.allPods) return;
      const policy = policies[rule.policy]!;
      for (const peer of policy[direction][rule.index]!.peers) {
        if (peer.kind === 'ipBlock') {
          if (podPartition) for (const a of podPartition.covered(ipBlockRanges(peer.ipBlock))) push(this.byAtom, a, r);
        } else if (!peer.namespaceSelector) push(this.local, policy.namespace, r);
        else {
          const key = selectorKey(peer.namespaceSelector);
          const entry = this.crossNamespace.get(key);
          if (entry) entry.rules.push(r);
          else this.crossNamespace.set(key, { selector: peer.namespaceSelector, rules: [r] });
        }
      }
    });
  }

  /**
   * Rules (sorted ids, not matching every pod) with a selector peer whose namespace part admits
   * this namespace: its pod selector still has to be checked.
   */
  forNamespace(namespace: Namespace): number[] {
    const out = new Set(this.local.get(namespace.name));
    for (const { selector, rules } of this.crossNamespace.values()) if (selectorMatches(selector, namespace.labels)) for (const r of rules) out.add(r);
    return [...out].sort((a, b) => a - b);
  }

  /** Rules (sorted ids, not matching every pod) with an ipBlock peer covering one of these atoms of the pod partition. */
  forAtoms(atoms: readonly number[]): number[] {
    const out = new Set<number>();
    for (const a of atoms) for (const r of this.byAtom.get(a) ?? []) out.add(r);
    return [...out].sort((a, b) => a - b);
  }
}

function push<K>(map: Map<K, number[]>, key: K, r: number): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}
