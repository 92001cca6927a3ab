// Which workload a pod belongs to for users: `ns/name[Kind]`, a Deployment rather than its
// ReplicaSet and a CronJob rather than its Job, as far as the input tells.
import type { OwnerRef } from '../model/types.ts';
import { workloadId } from './workload.ts';
import type { WorkloadObject } from './workload.ts';

export interface WorkloadRef {
  id: string;
  namespace: string;
  name: string;
  kind: string;
}

function ref(namespace: string, name: string, kind: string): WorkloadRef {
  return { id: workloadId(namespace, name, kind), namespace, name, kind };
}

export const POD_TEMPLATE_HASH = 'pod-template-hash';

export class WorkloadResolver {
  private readonly objects = new Map<string, WorkloadObject>();

  constructor(workloads: Iterable<WorkloadObject>) {
    for (const w of workloads) this.objects.set(workloadId(w.namespace, w.name, w.kind), w);
  }

  /**
   * The workload a workload object stands for: a ReplicaSet controlled by a Deployment stands for
   * the Deployment, a Job controlled by a CronJob for the CronJob; anything else for itself.
   */
  forObject(w: WorkloadObject): WorkloadRef {
    if (w.kind === 'ReplicaSet' && w.owner?.kind === 'Deployment') return ref(w.namespace, w.owner.name, 'Deployment');
    if (w.kind === 'Job' && w.owner?.kind === 'CronJob') return ref(w.namespace, w.owner.name, 'CronJob');
    return ref(w.namespace, w.name, w.kind);
  }

  /**
   * The workload of a pod with this (non-Node) controller owner. A ReplicaSet given in the input
   * decides by its own owner. Without the object, a pod labelled `pod-template-hash=<h>` owned by
   * the ReplicaSet `<x>-<h>` belongs to the Deployment `<x>`.
   */
  forPod(namespace: string, podName: string, owner: OwnerRef | null, labels: Record<string, string>): WorkloadRef {
    if (!owner) return ref(namespace, podName, 'Pod');
    if (owner.kind === '') return ref(namespace, owner.name, 'Pod');
    const object = this.objects.get(workloadId(namespace, owner.name, owner.kind));
    if (object) return this.forObject(object);
    if (owner.kind === 'ReplicaSet') {
      const hash = labels[POD_TEMPLATE_HASH];
      const suffix = `-${hash}`;
      if (hash && owner.name.endsWith(suffix) && owner.name.length > suffix.length) {
        return ref(namespace, owner.name.slice(0, -suffix.length), 'Deployment');
      }
    }
    return ref(namespace, owner.name, owner.kind);
  }
}
