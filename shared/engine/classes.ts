// Pods that no policy can tell apart form one class: same namespace, same values for every label
// key any pod selector mentions, same named ports that policies mention, and (when ipBlocks and
// admin `networks` match pods) IPs in the same atoms. Admin policies count as policies here. Everything else is computed per class, never per pod.
import { parseIp } from '../model/ip.ts';
import type { ContainerPort, LabelSelector, Labels, NetworkPolicy, Peer, Pod } from '../model/types.ts';
import type { AdminPolicy } from './admin-rules.ts';
import type { IpPartition } from './ip-partition.ts';

export interface PodClass {
  namespace: string;
  /** Labels of a representative pod (identical on every key a selector can read). */
  labels: Labels;
  /** Id into `ClassSet.namedPorts`: the container ports whose names some policy mentions. */
  namedPorts: number;
  /** Atoms of the whole-address-space partition holding the pods' IPs (only when ipBlocks match pods). */
  atoms: number[];
}

export interface ClassSet {
  classes: PodClass[];
  /** Class of each participating pod. */
  classOfPod: Int32Array;
  /** Interned named-port lists; id 0 is the empty list. */
  namedPorts: ContainerPort[][];
  keyer: ClassKeyer;
  /** Class id by class key. */
  classIds: Map<string, number>;
  /** Classes added incrementally after `classIds` was built (small; copied, never the big map). */
  addedClassIds?: Map<string, number>;
}

function forEachPodSelectorKey(policies: readonly NetworkPolicy[], adminPolicies: readonly AdminPolicy[], visit: (key: string) => void): void {
  const visitSelector = (selector: LabelSelector | undefined) => {
    if (!selector) return;
    for (const k in selector.matchLabels) visit(k);
    for (const e of selector.matchExpressions) visit(e.key);
  };
  const visitPeer = (peer: Peer) => {
    if (peer.kind === 'selector') visitSelector(peer.podSelector);
  };
  for (const p of policies) {
    visitSelector(p.podSelector);
    for (const r of p.ingress) r.peers.forEach(visitPeer);
    for (const r of p.egress) r.peers.forEach(visitPeer);
  }
  for (const p of adminPolicies) {
    visitSelector(p.subject.podSelector);
    for (const r of [...p.ingress, ...p.egress]) for (const peer of r.peers) if (peer.kind === 'pods') visitSelector(peer.podSelector);
  }
}

function namedPortNames(policies: readonly NetworkPolicy[], adminPolicies: readonly AdminPolicy[]): Set<string> {
  const names = new Set<string>();
  for (const p of policies) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const port of r.ports) if (typeof port.port === 'string') names.add(port.port);
    }
  }
  for (const p of adminPolicies) {
    for (const r of [...p.ingress, ...p.egress]) for (const port of r.ports) if (port.kind === 'named') names.add(port.name);
  }
  return names;
}

/** Computes the class key of a pod: what no policy of this cluster can tell apart. */
export class ClassKeyer {
  private readonly sortedKeys: string[];
  private readonly portNames: Set<string>;
  readonly namedPorts: ContainerPort[][] = [[]];
  private readonly namedPortIds = new Map<string, number>([['', 0]]);

  constructor(
    policies: readonly NetworkPolicy[],
    adminPolicies: readonly AdminPolicy[],
    private readonly partition: IpPartition | null,
  ) {
    const labelKeys = new Set<string>();
    forEachPodSelectorKey(policies, adminPolicies, (k) => labelKeys.add(k));
    this.sortedKeys = [...labelKeys].sort();
    this.portNames = namedPortNames(policies, adminPolicies);
    const atoms = partition ? partition.atoms.map((a) => `${a.family}:${a.first}`).join(',') : '-';
    this.signature = `${this.sortedKeys.join('\u0000')}|${[...this.portNames].sort().join(',')}|${atoms}`;
  }

  /** Equal signatures give equal keys for every pod: classes can be reused. */
  readonly signature: string;

  /** The class key and the pieces a new class needs. */
  keyOf(pod: Pod): { key: string; namedPorts: number; atoms: number[] } {
    const relevantPorts = pod.ports
      .filter((p) => p.name !== '' && this.portNames.has(p.name))
      .map((p) => `${p.name}/${p.protocol}/${p.port}`)
      .sort();
    const portsKey = [...new Set(relevantPorts)].join(',');
    let np = this.namedPortIds.get(portsKey);
    if (np === undefined) {
      np = this.namedPorts.length;
      this.namedPorts.push(pod.ports.filter((p) => p.name !== '' && this.portNames.has(p.name)));
      this.namedPortIds.set(portsKey, np);
    }
    const atoms = this.partition ? podAtoms(pod, this.partition) : [];
    let labelsKey = '';
    for (const k of this.sortedKeys) {
      const v = pod.labels[k];
      labelsKey += v === undefined ? '\u0001' : `\u0002${v}`;
      labelsKey += '\u0000';
    }
    return { key: `${pod.namespace}\u0003${labelsKey}\u0003${np}\u0003${atoms.join(',')}`, namedPorts: np, atoms };
  }
}

export function buildClasses(pods: readonly Pod[], keyer: ClassKeyer): ClassSet {
  const classes: PodClass[] = [];
  const classIds = new Map<string, number>();
  const classOfPod = new Int32Array(pods.length);
  pods.forEach((pod, podIndex) => {
    const { key, namedPorts, atoms } = keyer.keyOf(pod);
    let id = classIds.get(key);
    if (id === undefined) {
      id = classes.length;
      classes.push({ namespace: pod.namespace, labels: pod.labels, namedPorts, atoms });
      classIds.set(key, id);
    }
    classOfPod[podIndex] = id;
  });
  return { classes, classOfPod, namedPorts: keyer.namedPorts, keyer, classIds };
}

function podAtoms(pod: Pod, partition: IpPartition): number[] {
  const atoms = new Set<number>();
  for (const ip of pod.ips) {
    const parsed = parseIp(ip);
    if (!parsed) continue;
    const atom = partition.indexOf(parsed.family, parsed.value);
    if (atom >= 0) atoms.add(atom);
  }
  return [...atoms].sort((a, b) => a - b);
}
