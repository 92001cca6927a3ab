// The checks the simulated server makes before a write: 422 Invalid (with causes naming the field)
// for obviously invalid bodies, as the real API server's validation would reject them.
import type { ResourceDef } from './resources.ts';
import type { StatusCause } from './status.ts';

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function invalid(field: string, value: unknown, why: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field };
}

function notSupported(field: string, value: unknown, allowed: string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
    field,
  };
}

/** Name of the object for messages: metadata.name, or '' when missing. */
export function objectName(obj: unknown): string {
  if (!isMap(obj) || !isMap(obj['metadata'])) return '';
  const name = obj['metadata']['name'];
  return typeof name === 'string' ? name : '';
}

/** Causes for a body that cannot be stored as an object of `def` (empty when it is fine). */
export function validateObject(def: ResourceDef, obj: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isMap(obj)) return [{ reason: 'FieldValueInvalid', message: 'the body must be a JSON object', field: '' }];
  if (obj['kind'] !== undefined && obj['kind'] !== def.kind) {
    causes.push(invalid('kind', obj['kind'], `must be ${def.kind} for ${def.resource}`));
  }
  if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== def.apiVersion) {
    causes.push(invalid('apiVersion', obj['apiVersion'], `must be ${def.apiVersion} for ${def.resource}`));
  }
  const meta = obj['metadata'];
  if (!isMap(meta)) {
    causes.push(required('metadata'));
    return causes;
  }
  const name = meta['name'];
  if (name === undefined || name === '') {
    if (typeof meta['generateName'] !== 'string' || meta['generateName'] === '') {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    }
  } else if (typeof name !== 'string') {
    causes.push(invalid('metadata.name', name, 'must be a string'));
  } else {
    const re = def.resource === 'namespaces' ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    const max = def.resource === 'namespaces' ? 63 : 253;
    if (!re.test(name) || name.length > max) {
      causes.push(
        invalid('metadata.name', name, `a lowercase RFC 1123 ${def.resource === 'namespaces' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`),
      );
    }
    if (def.resource === 'baselineadminnetworkpolicies' && name !== 'default') {
      causes.push(invalid('metadata.name', name, 'Only one baseline admin policy with metadata.name="default" can be created in the cluster'));
    }
  }
  for (const field of ['labels', 'annotations'] as const) {
    const m = meta[field];
    if (m === undefined || m === null) continue;
    if (!isMap(m)) {
      causes.push(invalid(`metadata.${field}`, m, 'must be a map of strings'));
      continue;
    }
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') causes.push(invalid(`metadata.${field}`, v, `the value of ${k} must be a string`));
      else if (field === 'labels' && (!LABEL_VALUE.test(v) || v.length > 63)) causes.push(invalid(`metadata.labels`, v, `a valid label value must be 63 characters or less and consist of alphanumeric characters, '-', '_' or '.'`));
      if (field === 'labels' && !LABEL_KEY.test(k)) causes.push(invalid('metadata.labels', k, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\''));
    }
  }
  const spec = obj['spec'];
  if (spec !== undefined && spec !== null && !isMap(spec)) causes.push(invalid('spec', spec, 'must be an object'));
  const s = isMap(spec) ? spec : {};
  switch (def.resource) {
    case 'pods':
      validatePod(s, causes);
      break;
    case 'networkpolicies':
      validateNetworkPolicy(s, causes);
      break;
    case 'adminnetworkpolicies':
    case 'baselineadminnetworkpolicies':
      validateAdminPolicy(def, s, causes);
      break;
    case 'namespaces':
      break;
  }
  return causes;
}

function validatePod(spec: JsonMap, causes: StatusCause[]): void {
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push(required('spec.containers'));
    return;
  }
  containers.forEach((c, i) => {
    const at = `spec.containers[${i}]`;
    if (!isMap(c)) {
      causes.push(invalid(at, c, 'must be an object'));
      return;
    }
    if (typeof c['name'] !== 'string' || c['name'] === '') causes.push(required(`${at}.name`));
    if (typeof c['image'] !== 'string' || c['image'] === '') causes.push(required(`${at}.image`));
    const ports = c['ports'];
    if (ports === undefined || ports === null) return;
    if (!Array.isArray(ports)) {
      causes.push(invalid(`${at}.ports`, ports, 'must be a list'));
      return;
    }
    ports.forEach((p, j) => {
      const pat = `${at}.ports[${j}]`;
      if (!isMap(p)) return causes.push(invalid(pat, p, 'must be an object'));
      const n = p['containerPort'];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) causes.push(invalid(`${pat}.containerPort`, n, 'must be between 1 and 65535, inclusive'));
      if (p['protocol'] !== undefined && !PROTOCOLS.includes(p['protocol'] as string)) causes.push(notSupported(`${pat}.protocol`, p['protocol'], PROTOCOLS));
      if (p['name'] !== undefined && (typeof p['name'] !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p['name']) || p['name'].length > 15 || !/[a-z]/.test(p['name']))) {
        causes.push(invalid(`${pat}.name`, p['name'], 'must be no more than 15 characters, contain at least one letter (a-z) and consist of lower case alphanumeric characters or \'-\''));
      }
      return undefined;
    });
  });
}

function validatePolicyPort(p: unknown, at: string, causes: StatusCause[]): void {
  if (!isMap(p)) {
    causes.push(invalid(at, p, 'must be an object'));
    return;
  }
  if (p['protocol'] !== undefined && !PROTOCOLS.includes(p['protocol'] as string)) causes.push(notSupported(`${at}.protocol`, p['protocol'], PROTOCOLS));
  const port = p['port'];
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) causes.push(invalid(`${at}.port`, port, 'must be between 1 and 65535, inclusive'));
  } else if (typeof port === 'string') {
    if (!/[a-z]/.test(port) || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port) || port.length > 15) {
      causes.push(invalid(`${at}.port`, port, 'must contain at least one letter (a-z) and consist of lower case alphanumeric characters or \'-\''));
    }
  } else if (port !== undefined && port !== null) {
    causes.push(invalid(`${at}.port`, port, 'must be a number or a port name'));
  }
  const end = p['endPort'];
  if (end !== undefined && end !== null) {
    if (typeof port !== 'number') causes.push(invalid(`${at}.endPort`, end, 'may not be specified when `port` is non-numeric'));
    else if (typeof end !== 'number' || end < port || end > 65535) causes.push(invalid(`${at}.endPort`, end, 'must be greater than or equal to `port`'));
  }
}

function validateNetworkPolicy(spec: JsonMap, causes: StatusCause[]): void {
  const types = spec['policyTypes'];
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types)) causes.push(invalid('spec.policyTypes', types, 'must be a list'));
    else types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') causes.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
  }
  for (const [direction, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      causes.push(invalid(`spec.${direction}`, rules, 'must be a list'));
      continue;
    }
    rules.forEach((rule, i) => {
      const at = `spec.${direction}[${i}]`;
      if (!isMap(rule)) return causes.push(invalid(at, rule, 'must be an object'));
      const ports = rule['ports'];
      if (Array.isArray(ports)) ports.forEach((p, j) => validatePolicyPort(p, `${at}.ports[${j}]`, causes));
      const peers = rule[peersField];
      if (Array.isArray(peers)) {
        peers.forEach((peer, j) => {
          const pat = `${at}.${peersField}[${j}]`;
          if (!isMap(peer)) return causes.push(invalid(pat, peer, 'must be an object'));
          const block = peer['ipBlock'];
          if (isMap(block)) {
            if (peer['podSelector'] !== undefined || peer['namespaceSelector'] !== undefined) {
              causes.push(invalid(pat, peer, 'may not specify more than 1 peer type when ipBlock is specified'));
            }
            if (typeof block['cidr'] !== 'string' || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(block['cidr'])) causes.push(invalid(`${pat}.ipBlock.cidr`, block['cidr'], 'must be a valid CIDR'));
          } else if (peer['podSelector'] === undefined && peer['namespaceSelector'] === undefined) {
            causes.push(required(`${pat}`));
          }
          return undefined;
        });
      }
      return undefined;
    });
  }
}

function validateAdminPolicy(def: ResourceDef, spec: JsonMap, causes: StatusCause[]): void {
  if (def.resource === 'adminnetworkpolicies') {
    const p = spec['priority'];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1000) causes.push(invalid('spec.priority', p, 'must be an integer between 0 and 1000'));
  }
  const subject = spec['subject'];
  if (!isMap(subject)) causes.push(required('spec.subject'));
  else if ((subject['namespaces'] === undefined) === (subject['pods'] === undefined)) {
    causes.push(invalid('spec.subject', subject, 'exactly one of namespaces or pods must be set'));
  }
  const actions = def.resource === 'adminnetworkpolicies' ? ['Allow', 'Deny', 'Pass'] : ['Allow', 'Deny'];
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) {
      causes.push(invalid(`spec.${direction}`, rules, 'must be a list'));
      continue;
    }
    if (rules.length > 100) causes.push(invalid(`spec.${direction}`, rules.length, 'must have at most 100 items'));
    rules.forEach((r, i) => {
      if (!isMap(r)) return causes.push(invalid(`spec.${direction}[${i}]`, r, 'must be an object'));
      if (!actions.includes(r['action'] as string)) causes.push(notSupported(`spec.${direction}[${i}].action`, r['action'], actions));
      const peers = r[direction === 'ingress' ? 'from' : 'to'];
      if (!Array.isArray(peers) || peers.length === 0) causes.push(required(`spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}`));
      return undefined;
    });
  }
}
