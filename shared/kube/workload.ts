// Workload objects (Deployment, StatefulSet, ...): identity, controller owner and pod template.
import type { ContainerPort, OwnerRef } from '../model/types.ts';
import { child, isAbsent, readMap, readStringMap } from './fields.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { readMetadata } from './metadata.ts';
import { parsePodSpec } from './pod-spec.ts';

export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** `ns/name[Kind]` */
export function workloadId(namespace: string, name: string, kind: string): string {
  return `${namespace}/${name}[${kind}]`;
}

export interface PodTemplate {
  labels: Record<string, string>;
  ports: ContainerPort[];
  hostNetwork: boolean;
}

export interface WorkloadObject {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** The controller owner (e.g. the Deployment of a ReplicaSet), or null. */
  owner: OwnerRef | null;
  template: PodTemplate;
}

/** Where the pod template sits: `spec.template`, or `spec.jobTemplate.spec.template` for a CronJob. */
function templatePath(kind: WorkloadKind): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

export function parseWorkload(kind: WorkloadKind, object: RawMap, issues: Issues): WorkloadObject {
  const meta = readMetadata(object, issues, true);
  return {
    kind,
    namespace: meta.namespace,
    name: meta.name,
    owner: meta.controller,
    template: parseTemplate(object, templatePath(kind), issues),
  };
}

function parseTemplate(object: RawMap, steps: string[], issues: Issues): PodTemplate {
  let value: unknown = object;
  let path = '';
  for (const step of steps) {
    const map = readMap(value, path, issues);
    path = child(path, step);
    value = map?.[step];
    if (isAbsent(value)) {
      if (map) issues.error(path, 'missing: a workload needs a pod template');
      return { labels: {}, ports: [], hostNetwork: false };
    }
  }
  const template = readMap(value, path, issues) ?? {};
  const metaPath = child(path, 'metadata');
  const meta = readMap(template['metadata'], metaPath, issues) ?? {};
  const labels = readStringMap(meta['labels'], child(metaPath, 'labels'), issues) ?? {};
  const spec = parsePodSpec(template['spec'], child(path, 'spec'), issues);
  return { labels, ports: spec.ports, hostNetwork: spec.hostNetwork };
}
