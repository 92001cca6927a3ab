// The parts of a pod spec that matter for traffic: container ports and hostNetwork. Used for Pod
// objects and for the pod templates of workloads.
import type { ContainerPort } from '../model/types.ts';
import { MAX_PORT, MIN_PORT } from '../model/port-set.ts';
import { child, index, isAbsent, readBoolean, readList, readMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { isProtocol } from './protocol.ts';

export interface PodSpecInfo {
  ports: ContainerPort[];
  hostNetwork: boolean;
}

/** `path` is where the spec sits, e.g. `spec` or `spec.template.spec`. */
export function parsePodSpec(value: unknown, path: string, issues: Issues): PodSpecInfo {
  const spec = readMap(value, path, issues) ?? {};
  const hostNetwork = readBoolean(spec['hostNetwork'], child(path, 'hostNetwork'), issues) ?? false;
  const ports: ContainerPort[] = [];
  const containersPath = child(path, 'containers');
  const containers = readList(spec['containers'], containersPath, issues) ?? [];
  containers.forEach((raw, c) => {
    const containerPath = index(containersPath, c);
    const container = readMap(raw, containerPath, issues);
    if (!container) return;
    const portsPath = child(containerPath, 'ports');
    const entries = readList(container['ports'], portsPath, issues) ?? [];
    entries.forEach((entry, p) => {
      const port = parseContainerPort(entry, index(portsPath, p), issues);
      if (port) ports.push(port);
    });
  });
  return { ports, hostNetwork };
}

/**
 * One `ports` entry. Problems here only cost the entry (with a warning), not the pod: an entry
 * without a numeric `containerPort` provides nothing, not even its name.
 */
function parseContainerPort(value: unknown, path: string, issues: Issues): ContainerPort | undefined {
  const entry = readMap(value, path, issues);
  if (!entry) return undefined;
  const number = entry['containerPort'];
  const portPath = child(path, 'containerPort');
  if (typeof number !== 'number') {
    issues.warn(
      portPath,
      isAbsent(number) ? 'missing: this port entry provides nothing' : 'not a number: this port entry provides nothing',
    );
    return undefined;
  }
  if (!Number.isInteger(number) || number < MIN_PORT || number > MAX_PORT) {
    issues.warn(portPath, `${number} is not a port (1-65535): this port entry provides nothing`);
    return undefined;
  }
  let protocol: ContainerPort['protocol'] = 'TCP';
  const rawProtocol = entry['protocol'];
  if (!isAbsent(rawProtocol)) {
    if (typeof rawProtocol !== 'string' || !isProtocol(rawProtocol)) {
      issues.warn(child(path, 'protocol'), `unsupported protocol ${JSON.stringify(rawProtocol)}: this port entry provides nothing`);
      return undefined;
    }
    protocol = rawProtocol;
  }
  const rawName = entry['name'];
  let name = '';
  if (typeof rawName === 'string') name = rawName;
  else if (!isAbsent(rawName)) issues.warn(child(path, 'name'), 'not a string: the port has no name');
  return { name, protocol, port: number };
}
