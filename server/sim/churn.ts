// Churn: the pod traffic of a living cluster, at a configurable rate (store writes per second).
// Deployments roll out (a new ReplicaSet hash; each old pod replaced by a new one: ADDED Pending,
// MODIFIED Running with an IP, old pod MODIFIED Terminating, DELETED) and scale up and down;
// StatefulSets scale by ordinal. The sequence of writes is a pure function of the seed and the
// starting pods (the timer only decides when each write happens), and `stop()` ends it.
import { Prng } from './scale-cluster.ts';
import type { KubeObject, Store } from './store.ts';

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

interface Workload {
  namespace: string;
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  /** Current pod-template-hash (Deployment) or controller-revision-hash (StatefulSet). */
  hash: string;
  ownerName: string;
  ownerUid: string;
  /** A pod to copy spec and labels from (without status). */
  template: KubeObject;
  /** Pod names believed to exist, oldest first. */
  pods: string[];
  min: number;
  max: number;
}

export interface ChurnOptions {
  /** Store writes per second (> 0). */
  rate: number;
  seed?: number;
}

export interface ChurnStats {
  writes: number;
  rollouts: number;
  scaleUps: number;
  scaleDowns: number;
}

/** One store write; false when it had nothing to do (its pod vanished meanwhile). */
type Step = () => boolean;

export class Churn {
  private readonly rng: Prng;
  private readonly workloads: Workload[] = [];
  private queue: Step[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private doneSinceStart = 0;
  private rate: number;
  readonly stats: ChurnStats = { writes: 0, rollouts: 0, scaleUps: 0, scaleDowns: 0 };

  constructor(
    private readonly store: Store,
    options: ChurnOptions,
  ) {
    this.rate = options.rate;
    this.rng = new Prng(options.seed ?? 1);
    this.discover();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Workloads that churn touches: `namespace/name[Kind]`. */
  workloadIds(): string[] {
    return this.workloads.map((w) => `${w.namespace}/${w.name}[${w.kind}]`);
  }

  /** Groups the store's pods by controller: ReplicaSets of Deployments, and StatefulSets. */
  private discover(): void {
    const byOwner = new Map<string, Workload>();
    for (const pod of this.store.peekList('pods')) {
      const meta = isMap(pod['metadata']) ? pod['metadata'] : {};
      const labels = isMap(meta['labels']) ? (meta['labels'] as Record<string, string>) : {};
      const owners = Array.isArray(meta['ownerReferences']) ? (meta['ownerReferences'] as unknown[]).filter(isMap) : [];
      const owner = owners.find((o) => o['controller'] === true) ?? owners[0];
      if (!owner || (isMap(pod['spec']) && pod['spec']['hostNetwork'] === true)) continue;
      const ns = String(meta['namespace']);
      const ownerName = String(owner['name']);
      let kind: Workload['kind'];
      let name: string;
      let hash: string;
      if (owner['kind'] === 'ReplicaSet' && labels['pod-template-hash'] && ownerName.endsWith(`-${labels['pod-template-hash']}`)) {
        kind = 'Deployment';
        hash = labels['pod-template-hash'];
        name = ownerName.slice(0, -hash.length - 1);
      } else if (owner['kind'] === 'StatefulSet') {
        kind = 'StatefulSet';
        name = ownerName;
        hash = labels['controller-revision-hash'] ?? `${name}-${this.suffix(10)}`;
      } else {
        continue;
      }
      const key = `${ns}/${kind}/${name}`;
      let w = byOwner.get(key);
      if (!w) {
        const template: KubeObject = { ...pod };
        delete template['status'];
        w = { namespace: ns, name, kind, hash, ownerName, ownerUid: String(owner['uid'] ?? ''), template, pods: [], min: 1, max: 1 };
        byOwner.set(key, w);
      }
      w.pods.push(String(meta['name']));
    }
    for (const w of byOwner.values()) {
      if (w.kind === 'StatefulSet') w.pods.sort((a, b) => ordinal(a) - ordinal(b));
      w.min = Math.max(1, w.pods.length - 1);
      w.max = w.pods.length + 2;
      this.workloads.push(w);
    }
  }

  private suffix(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHABET[this.rng.int(0, ALPHABET.length - 1)];
    return s;
  }

  private uid(): string {
    const h = (): string => this.rng.uint32().toString(16).padStart(8, '0');
    const a = h();
    const b = h();
    const c = h();
    const d = h();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  // ----- one write at a time -----

  /** Performs `n` writes now (synchronously). */
  step(n = 1): void {
    for (let i = 0; i < n; i++) {
      let attempts = 0;
      for (;;) {
        if (this.queue.length === 0 && !this.plan()) return;
        const next = this.queue.shift()!;
        if (next()) {
          this.stats.writes++;
          break;
        }
        if (++attempts > 50) return;
      }
    }
  }

  /** Queues the writes of the next action; false when there is nothing to churn. */
  private plan(): boolean {
    if (this.workloads.length === 0) return false;
    const w = this.rng.pick(this.workloads);
    const live = w.pods.filter((p) => this.store.peek('pods', w.namespace, p) !== undefined);
    w.pods = live;
    const action = w.kind === 'Deployment'
      ? this.rng.weighted([['rollout', 3], ['up', 2], ['down', 2]] as const)
      : this.rng.weighted([['up', 1], ['down', 1]] as const);
    if (action === 'rollout' || (action === 'up' && live.length >= w.max) || (action === 'down' && live.length <= w.min)) {
      if (w.kind === 'StatefulSet') {
        // Scale the other way rather than do nothing.
        return action === 'up' ? this.planScaleDown(w) : this.planScaleUp(w);
      }
      return this.planRollout(w);
    }
    return action === 'up' ? this.planScaleUp(w) : this.planScaleDown(w);
  }

  private planRollout(w: Workload): boolean {
    const old = [...w.pods];
    const hash = this.suffix(10);
    w.hash = hash;
    w.ownerName = `${w.name}-${hash}`;
    w.ownerUid = this.uid();
    this.stats.rollouts++;
    for (const oldPod of old) {
      const fresh = this.newPodName(w);
      this.queue.push(() => this.createPending(w, fresh), () => this.markRunning(w, fresh), () => this.terminate(w, oldPod), () => this.remove(w, oldPod));
    }
    if (old.length === 0) {
      const fresh = this.newPodName(w);
      this.queue.push(() => this.createPending(w, fresh), () => this.markRunning(w, fresh));
    }
    return true;
  }

  private planScaleUp(w: Workload): boolean {
    this.stats.scaleUps++;
    const fresh = this.newPodName(w);
    this.queue.push(() => this.createPending(w, fresh), () => this.markRunning(w, fresh));
    return true;
  }

  private planScaleDown(w: Workload): boolean {
    const victim = w.pods[w.pods.length - 1];
    if (victim === undefined) return this.planScaleUp(w);
    this.stats.scaleDowns++;
    this.queue.push(() => this.terminate(w, victim), () => this.remove(w, victim));
    return true;
  }

  private newPodName(w: Workload): string {
    if (w.kind === 'StatefulSet') {
      const used = new Set(w.pods.map(ordinal));
      let i = 0;
      while (used.has(i)) i++;
      return `${w.name}-${i}`;
    }
    return `${w.ownerName}-${this.suffix(5)}`;
  }

  private createPending(w: Workload, name: string): boolean {
    if (this.store.peek('pods', w.namespace, name)) return false;
    const tMeta = isMap(w.template['metadata']) ? w.template['metadata'] : {};
    const labels: Record<string, string> = { ...(isMap(tMeta['labels']) ? (tMeta['labels'] as Record<string, string>) : {}) };
    if (w.kind === 'Deployment') labels['pod-template-hash'] = w.hash;
    else {
      labels['statefulset.kubernetes.io/pod-name'] = name;
      labels['apps.kubernetes.io/pod-index'] = String(ordinal(name));
    }
    const spec: JsonMap = { ...(isMap(w.template['spec']) ? w.template['spec'] : {}) };
    delete spec['nodeName'];
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: w.namespace,
        generateName: w.kind === 'Deployment' ? `${w.ownerName}-` : `${w.name}-`,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: w.kind === 'Deployment' ? 'ReplicaSet' : 'StatefulSet', name: w.ownerName, uid: w.ownerUid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], qosClass: 'BestEffort' },
    };
    try {
      this.store.create('pods', pod, { namespace: w.namespace });
    } catch {
      return false;
    }
    w.pods.push(name);
    if (w.kind === 'StatefulSet') w.pods.sort((a, b) => ordinal(a) - ordinal(b));
    return true;
  }

  private markRunning(w: Workload, name: string): boolean {
    const current = this.store.peek('pods', w.namespace, name);
    if (!current) return false;
    const base: KubeObject = { ...current };
    delete base['status'];
    const running = this.store.network.simulate(base, Date.now());
    try {
      this.store.update('pods', running, { namespace: w.namespace, name });
    } catch {
      return false;
    }
    return true;
  }

  private terminate(w: Workload, name: string): boolean {
    if (!this.store.peek('pods', w.namespace, name)) return false;
    this.store.beginDeletion('pods', w.namespace, name, 30);
    return true;
  }

  private remove(w: Workload, name: string): boolean {
    w.pods = w.pods.filter((p) => p !== name);
    if (!this.store.peek('pods', w.namespace, name)) return false;
    this.store.delete('pods', w.namespace, name);
    return true;
  }

  // ----- the clock -----

  /** Starts writing at `rate` per second (optionally a new rate). */
  start(rate?: number): void {
    if (rate !== undefined) this.rate = rate;
    if (!(this.rate > 0)) throw new RangeError('churn rate must be > 0 writes per second');
    this.stop();
    this.startedAt = Date.now();
    this.doneSinceStart = 0;
    const interval = Math.min(1000, Math.max(10, Math.floor(1000 / this.rate)));
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - this.startedAt) * this.rate) / 1000) - this.doneSinceStart;
      const n = Math.min(Math.max(0, due), 5000);
      this.doneSinceStart += n;
      this.step(n);
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function ordinal(name: string): number {
  const m = /-(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}
