// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) objects,
// validated as the API server's schema does.
import type { AdminAction, AdminNetworkPolicy, AdminPeer, AdminPodSet, AdminPort, AdminRule, BaselineAdminNetworkPolicy } from '../model/types.ts';
import { child, describeType, index, isAbsent, readList, readMap, readString, warnUnknownFields } from './fields.ts';
import type { RawMap } from './fields.ts';
import type { Issues } from './issues.ts';
import { readMetadata } from './metadata.ts';
import { parseAdminPeer, parseAdminSubject } from './admin-peer.ts';
import { parseAdminPort } from './admin-port.ts';

export const ADMIN_POLICY_GROUP = 'policy.networking.k8s.io';
/** The only name a BaselineAdminNetworkPolicy may have. */
export const BASELINE_NAME = 'default';

const MAX_PRIORITY = 1000;
/** The API's limits: rules per direction, peers and ports per rule, characters of a rule name. */
const MAX_RULES = 100;
const MAX_ITEMS = 100;
const MAX_RULE_NAME = 100;

/** False for other APIs' kinds that happen to share the name. */
export function isAdminPolicyApi(apiVersion: unknown): boolean {
  if (typeof apiVersion !== 'string' || apiVersion === '') return true; // list items often omit it
  return apiVersion.slice(0, apiVersion.indexOf('/')) === ADMIN_POLICY_GROUP;
}

interface Parts {
  name: string;
  subject: AdminPodSet;
  ingress: AdminRule[];
  egress: AdminRule[];
}

function parseParts(object: RawMap, issues: Issues, actions: readonly AdminAction[], fields: readonly string[]): { spec: RawMap; parts: Parts } {
  const meta = readMetadata(object, issues, false);
  const spec = readMap(object['spec'], 'spec', issues) ?? {};
  if (isAbsent(object['spec'])) issues.error('spec', 'required field is missing');
  warnUnknownFields(spec, fields, 'spec', issues);
  const subject = parseAdminSubject(spec['subject'], 'spec.subject', issues) ?? { namespaceSelector: { matchLabels: {}, matchExpressions: [] } };
  const ingress = parseRules(spec['ingress'], 'spec.ingress', 'ingress', actions, issues);
  const egress = parseRules(spec['egress'], 'spec.egress', 'egress', actions, issues);
  return { spec, parts: { name: meta.name, subject, ingress, egress } };
}

export function parseAdminNetworkPolicy(object: RawMap, issues: Issues, source?: string): AdminNetworkPolicy {
  const { spec, parts } = parseParts(object, issues, ['Allow', 'Deny', 'Pass'], ['priority', 'subject', 'ingress', 'egress']);
  const raw = spec['priority'];
  let priority = 0;
  if (isAbsent(raw)) issues.error('spec.priority', 'required field is missing');
  else if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_PRIORITY) {
    issues.error('spec.priority', `must be an integer from 0 to ${MAX_PRIORITY}, got ${typeof raw === 'number' ? raw : describeType(raw)}`);
  } else priority = raw;
  const policy: AdminNetworkPolicy = { kind: 'AdminNetworkPolicy', priority, ...parts };
  if (source !== undefined) policy.source = source;
  return policy;
}

export function parseBaselineAdminNetworkPolicy(object: RawMap, issues: Issues, source?: string): BaselineAdminNetworkPolicy {
  const { parts } = parseParts(object, issues, ['Allow', 'Deny'], ['subject', 'ingress', 'egress']);
  if (parts.name !== '' && parts.name !== BASELINE_NAME) {
    issues.error('metadata.name', `must be "${BASELINE_NAME}": a cluster has a single BaselineAdminNetworkPolicy, named ${BASELINE_NAME}`);
  }
  const policy: BaselineAdminNetworkPolicy = { kind: 'BaselineAdminNetworkPolicy', ...parts };
  if (source !== undefined) policy.source = source;
  return policy;
}

function parseRules(value: unknown, path: string, direction: 'ingress' | 'egress', actions: readonly AdminAction[], issues: Issues): AdminRule[] {
  const list = readList(value, path, issues) ?? [];
  if (list.length > MAX_RULES) issues.error(path, `${list.length} rules: at most ${MAX_RULES} are allowed`);
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const rules: AdminRule[] = [];
  list.forEach((raw, i) => {
    const rulePath = index(path, i);
    const rule = readMap(raw, rulePath, issues);
    if (!rule) {
      if (isAbsent(raw)) issues.error(rulePath, 'empty rule: action and peers are required');
      return;
    }
    warnUnknownFields(rule, ['name', 'action', peersKey, 'ports'], rulePath, issues);
    const name = readString(rule['name'], child(rulePath, 'name'), issues) ?? '';
    if (name.length > MAX_RULE_NAME) issues.error(child(rulePath, 'name'), `${name.length} characters: at most ${MAX_RULE_NAME} are allowed`);
    const action = readAction(rule['action'], child(rulePath, 'action'), actions, issues);
    const peers: AdminPeer[] = [];
    const peersPath = child(rulePath, peersKey);
    items(rule[peersKey], peersPath, issues, true).forEach((p, j) => {
      const peer = parseAdminPeer(p, index(peersPath, j), direction, issues);
      if (peer) peers.push(peer);
    });
    const ports: AdminPort[] = [];
    const portsPath = child(rulePath, 'ports');
    items(rule['ports'], portsPath, issues, false).forEach((p, j) => {
      const port = parseAdminPort(p, index(portsPath, j), issues);
      if (port) ports.push(port);
    });
    if (action) rules.push({ name, action, peers, ports });
  });
  return rules;
}

function readAction(value: unknown, path: string, actions: readonly AdminAction[], issues: Issues): AdminAction | undefined {
  if (isAbsent(value)) {
    issues.error(path, 'required field is missing');
    return undefined;
  }
  if (typeof value === 'string' && (actions as readonly string[]).includes(value)) return value as AdminAction;
  issues.error(path, `unsupported action ${JSON.stringify(value)}: must be ${actions.join(', ')}`);
  return undefined;
}

/** A list of 1 to MAX_ITEMS entries; `required` = it may not be absent either. */
function items(value: unknown, path: string, issues: Issues, required: boolean): unknown[] {
  const list = readList(value, path, issues);
  if (list === undefined) {
    if (required && isAbsent(value)) issues.error(path, 'required field is missing');
    return [];
  }
  if (list.length === 0 || list.length > MAX_ITEMS) issues.error(path, `must list 1 to ${MAX_ITEMS} entries, got ${list.length}`);
  return list;
}
