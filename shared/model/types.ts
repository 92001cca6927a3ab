// The engine's model: plain, serializable data, already normalized from Kubernetes objects.
// Every consumer (class engine, reference evaluator, CLI, live server, browser) reads these types.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
/** Output order everywhere: TCP, then UDP, then SCTP. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A validated label selector; `{ matchLabels: {}, matchExpressions: [] }` matches everything. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
}

export interface Namespace {
  name: string;
  /** Always contains `kubernetes.io/metadata.name` (added when the input lacks it). */
  labels: Labels;
}

export interface ContainerPort {
  /** Empty when the port has no name (it then cannot be referenced by a named policy port). */
  name: string;
  protocol: Protocol;
  port: number;
}

/** Why a pod takes no part in the matrix (semantics.md rules 21-22), or null when it does. */
export type PodExclusion = null | 'hostNetwork' | 'finished' | 'terminated';

export interface OwnerRef {
  kind: string;
  name: string;
}

export interface Pod {
  /** `namespace/name` */
  id: string;
  namespace: string;
  name: string;
  labels: Labels;
  /** Pod IPs (IPv4 and/or IPv6), canonical text form; empty while the pod has none. */
  ips: string[];
  ports: ContainerPort[];
  /** The workload id the pod belongs to for users: `ns/name[Kind]` (a Deployment, not its ReplicaSet). */
  workload: string;
  /** The direct controller owner as the manifest states it, or null. */
  owner: OwnerRef | null;
  exclusion: PodExclusion;
  /** True for the one representative pod made from a workload manifest's template. */
  template: boolean;
  /** Where the object came from (file path), when known. */
  source?: string;
}

export interface Workload {
  /** `ns/name[Kind]` */
  id: string;
  namespace: string;
  name: string;
  kind: string;
}

export interface IpBlock {
  /** Canonical CIDR text. */
  cidr: string;
  except: string[];
}

/**
 * A rule peer. Selector peer: `podSelector` undefined = all pods; `namespaceSelector` undefined =
 * only the policy's own namespace. At least one of the two is set (validated).
 */
export type Peer =
  | { kind: 'selector'; podSelector?: LabelSelector; namespaceSelector?: LabelSelector }
  | { kind: 'ipBlock'; ipBlock: IpBlock };

export interface PolicyPort {
  protocol: Protocol;
  /** undefined = every port of the protocol; a string is a named port. */
  port?: number | string;
  /** Inclusive end of a numeric range. */
  endPort?: number;
}

export interface Rule {
  /** Empty = every source/destination, including outside the cluster. */
  peers: Peer[];
  /** Empty = every port of every protocol. */
  ports: PolicyPort[];
}

export interface NetworkPolicy {
  /** `namespace/name` */
  id: string;
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  /** Effective policyTypes after defaulting (semantics.md rule 2). */
  policyTypes: { ingress: boolean; egress: boolean };
  /** True when policyTypes was missing/empty in the input and got defaulted. */
  policyTypesDefaulted: boolean;
  ingress: Rule[];
  egress: Rule[];
  source?: string;
}

// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1): the
// cluster-scoped tiers evaluated before and after NetworkPolicies (semantics.md, last section).

export type AdminAction = 'Allow' | 'Deny' | 'Pass';

/** Pods in the namespaces `namespaceSelector` matches; `podSelector` undefined = every pod there. */
export interface AdminPodSet {
  namespaceSelector: LabelSelector;
  podSelector?: LabelSelector;
}

/**
 * An admin rule peer: pods (`namespaces` and `pods` peers), or the addresses of `networks` CIDRs
 * (canonical text): outside the cluster, and pod IPs too when ipBlocks match pods.
 */
export type AdminPeer = ({ kind: 'pods' } & AdminPodSet) | { kind: 'networks'; cidrs: string[] };

/** `portNumber` and `portRange` (one protocol), or `namedPort` (a destination container port of any protocol). */
export type AdminPort = { kind: 'range'; protocol: Protocol; port: number; endPort: number } | { kind: 'named'; name: string };

export interface AdminRule {
  /** The rule's `name`, '' when it has none. */
  name: string;
  action: AdminAction;
  /** ORed. Unlike NetworkPolicy, empty matches nothing (every peer was a `nodes` peer, which no pod or range is). */
  peers: AdminPeer[];
  /** ORed; empty = every port of every protocol. */
  ports: AdminPort[];
}

interface AdminPolicyBase {
  /** `metadata.name` (cluster-scoped). */
  name: string;
  subject: AdminPodSet;
  ingress: AdminRule[];
  egress: AdminRule[];
  source?: string;
}

export interface AdminNetworkPolicy extends AdminPolicyBase {
  kind: 'AdminNetworkPolicy';
  /** 0-1000, lower first. */
  priority: number;
}

/** The single `default` object; its rules never Pass. */
export interface BaselineAdminNetworkPolicy extends AdminPolicyBase {
  kind: 'BaselineAdminNetworkPolicy';
}

/** A normalized cluster. Invariant: every pod's and policy's namespace is in `namespaces`. */
export interface Cluster {
  namespaces: Namespace[];
  pods: Pod[];
  policies: NetworkPolicy[];
  workloads: Workload[];
  /** In evaluation order: by priority, equal priorities by name. */
  adminPolicies: AdminNetworkPolicy[];
  baselineAdminPolicy: BaselineAdminNetworkPolicy | null;
}

export interface AnalysisOptions {
  /** semantics.md rule 17: an ipBlock also matches pod IPs. */
  ipBlockMatchesPods: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { ipBlockMatchesPods: true };

export interface Diagnostic {
  severity: 'error' | 'warning';
  file?: string;
  /** e.g. `NetworkPolicy prod/bad` */
  object?: string;
  /** e.g. `spec.ingress[0].ports[0].endPort` */
  field?: string;
  message: string;
}
