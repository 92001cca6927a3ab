// The resources the simulated API server serves, and how each is named in every place the API
// names it (path segment, kind, list kind, discovery short names).

export type SimResource = 'pods' | 'namespaces' | 'networkpolicies' | 'adminnetworkpolicies' | 'baselineadminnetworkpolicies';

export type SimVerb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';

export interface ResourceDef {
  resource: SimResource;
  singular: string;
  kind: string;
  listKind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** `v1` or `group/version`. */
  apiVersion: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Whether objects carry metadata.generation (bumped on spec changes). */
  hasGeneration: boolean;
}

function def(d: Omit<ResourceDef, 'apiVersion'>): ResourceDef {
  return { ...d, apiVersion: d.group === '' ? d.version : `${d.group}/${d.version}` };
}

export const RESOURCES: Readonly<Record<SimResource, ResourceDef>> = {
  pods: def({
    resource: 'pods', singular: 'pod', kind: 'Pod', listKind: 'PodList', group: '', version: 'v1',
    namespaced: true, shortNames: ['po'], categories: ['all'], hasGeneration: true,
  }),
  namespaces: def({
    resource: 'namespaces', singular: 'namespace', kind: 'Namespace', listKind: 'NamespaceList', group: '', version: 'v1',
    namespaced: false, shortNames: ['ns'], categories: [], hasGeneration: false,
  }),
  networkpolicies: def({
    resource: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy', listKind: 'NetworkPolicyList',
    group: 'networking.k8s.io', version: 'v1', namespaced: true, shortNames: ['netpol'], categories: [], hasGeneration: true,
  }),
  adminnetworkpolicies: def({
    resource: 'adminnetworkpolicies', singular: 'adminnetworkpolicy', kind: 'AdminNetworkPolicy', listKind: 'AdminNetworkPolicyList',
    group: 'policy.networking.k8s.io', version: 'v1alpha1', namespaced: false, shortNames: ['anp'], categories: [], hasGeneration: true,
  }),
  baselineadminnetworkpolicies: def({
    resource: 'baselineadminnetworkpolicies', singular: 'baselineadminnetworkpolicy', kind: 'BaselineAdminNetworkPolicy',
    listKind: 'BaselineAdminNetworkPolicyList', group: 'policy.networking.k8s.io', version: 'v1alpha1', namespaced: false,
    shortNames: ['banp'], categories: [], hasGeneration: true,
  }),
};

export const ALL_RESOURCES: readonly SimResource[] = Object.keys(RESOURCES) as SimResource[];
export const ADMIN_POLICY_GROUP = 'policy.networking.k8s.io';
export const ADMIN_POLICY_RESOURCES: readonly SimResource[] = ['adminnetworkpolicies', 'baselineadminnetworkpolicies'];

/** Verbs announced in discovery (deletecollection is not served). */
export const DISCOVERY_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;

export function isSimResource(value: string): value is SimResource {
  return Object.prototype.hasOwnProperty.call(RESOURCES, value);
}

/** The resource of an object by kind (and apiVersion when given). */
export function resourceForKind(kind: string, apiVersion?: string): ResourceDef | undefined {
  for (const r of Object.values(RESOURCES)) {
    if (r.kind === kind && (apiVersion === undefined || r.apiVersion === apiVersion)) return r;
  }
  return undefined;
}

/** Group/version pairs served, in discovery order. */
export function groupVersions(servesAdminPolicies: boolean): { group: string; version: string; resources: ResourceDef[] }[] {
  const out: { group: string; version: string; resources: ResourceDef[] }[] = [];
  for (const r of Object.values(RESOURCES)) {
    if (!servesAdminPolicies && r.group === ADMIN_POLICY_GROUP) continue;
    let gv = out.find((x) => x.group === r.group && x.version === r.version);
    if (!gv) {
      gv = { group: r.group, version: r.version, resources: [] };
      out.push(gv);
    }
    gv.resources.push(r);
  }
  return out;
}
