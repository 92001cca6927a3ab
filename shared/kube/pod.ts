// Pod objects: labels, IPs, container ports, exclusion (semantics.md rules 21-22), controller owner.
import { canonicalIp } from '../model/ip.ts';
import type { OwnerRef, PodExclusion } from '../model/types.ts';
import { child, index, isAbsent, readList, readMap, readString } from './fields.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { readMetadata } from './metadata.ts';
import { parsePodSpec } from './pod-spec.ts';
import type { ContainerPort } from '../model/types.ts';

/** A Pod object as read; the workload it belongs to is decided later, knowing every object. */
export interface PodObject {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ips: string[];
  ports: ContainerPort[];
  /** The controller owner; owners of kind Node (static pods) are dropped. */
  owner: OwnerRef | null;
  exclusion: PodExclusion;
}

export function parsePod(object: RawMap, issues: Issues): PodObject {
  const meta = readMetadata(object, issues, true);
  const spec = parsePodSpec(object['spec'], 'spec', issues);
  const status = readMap(object['status'], 'status', issues) ?? {};
  const ips = readIps(status, issues);
  const phase = readString(status['phase'], 'status.phase', issues);
  const stopped = allContainersTerminated(status, issues);

  let exclusion: PodExclusion = null;
  if (spec.hostNetwork) exclusion = 'hostNetwork';
  else if (phase === 'Succeeded' || phase === 'Failed') exclusion = 'finished';
  else if (meta.deleting && stopped) exclusion = 'terminated';

  const owner = meta.controller && meta.controller.kind !== 'Node' ? meta.controller : null;
  return {
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    ips,
    ports: spec.ports,
    owner,
    exclusion,
  };
}

/** `status.podIPs[].ip`, else `status.podIP`; canonical text, duplicates removed, invalid dropped. */
function readIps(status: RawMap, issues: Issues): string[] {
  const found: { text: string; path: string }[] = [];
  const listPath = 'status.podIPs';
  const list = readList(status['podIPs'], listPath, issues) ?? [];
  list.forEach((raw, i) => {
    const entryPath = index(listPath, i);
    const entry = readMap(raw, entryPath, issues);
    if (!entry) return;
    const ip = readString(entry['ip'], child(entryPath, 'ip'), issues);
    if (ip !== undefined) found.push({ text: ip, path: child(entryPath, 'ip') });
  });
  if (found.length === 0) {
    const ip = readString(status['podIP'], 'status.podIP', issues);
    if (ip !== undefined && ip !== '') found.push({ text: ip, path: 'status.podIP' });
  }
  const ips: string[] = [];
  for (const { text, path } of found) {
    const ip = canonicalIp(text);
    if (ip === null) issues.warn(path, `invalid IP address "${text}": ignored`);
    else if (!ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

/** True when there is at least one container status and every one has `state.terminated`. */
function allContainersTerminated(status: RawMap, issues: Issues): boolean {
  const listPath = 'status.containerStatuses';
  const list = readList(status['containerStatuses'], listPath, issues) ?? [];
  if (list.length === 0) return false;
  let all = true;
  list.forEach((raw, i) => {
    const entryPath = index(listPath, i);
    const entry = readMap(raw, entryPath, issues) ?? {};
    const state = readMap(entry['state'], child(entryPath, 'state'), issues) ?? {};
    if (isAbsent(state['terminated'])) all = false;
  });
  return all;
}
