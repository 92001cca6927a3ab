// AdminNetworkPolicies and the BaselineAdminNetworkPolicy for generated clusters (scale-cluster.ts):
// the guardrails a platform team writes over the team namespaces, as RAW objects. Deterministic
// for a seed; drawn from the generated namespaces' labels (team, env) and the pods' labels and
// port names (tier, k8s-app, `metrics`), so subjects and peers select real pods.
import { Prng } from './prng.ts';

type Json = Record<string, unknown>;

interface NamespaceObject {
  kind?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, string> };
}

const API = 'policy.networking.k8s.io/v1alpha1';
const MONITORING = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
const KUBE_DNS = { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } };
const DNS_PORTS = [{ portNumber: { protocol: 'UDP', port: 53 } }, { portNumber: { protocol: 'TCP', port: 53 } }];
const ENVS = ['prod', 'staging', 'dev'] as const;

/** One guardrail's name and rules (the subject is drawn apart). */
type Template = (rng: Prng, teams: readonly string[]) => { name: string; ingress?: Json[]; egress?: Json[] };

const TEMPLATES: readonly (readonly [Template, number])[] = [
  // Monitoring may always scrape the metrics port, whatever NetworkPolicies say.
  [() => ({ name: 'allow-scrape', ingress: [{ name: 'scrape', action: 'Allow', from: [MONITORING], ports: [{ namedPort: 'metrics' }] }] }), 3],
  // DNS always works; other egress goes to the namespaces' own policies.
  [() => ({ name: 'allow-dns', egress: [{ name: 'dns', action: 'Allow', to: [KUBE_DNS], ports: DNS_PORTS }] }), 2],
  // Lower environments never reach prod.
  [
    (rng) => ({
      name: 'deny-lower-envs',
      ingress: [{ name: 'lower-envs', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'env', operator: 'In', values: rng.chance(0.5) ? ['staging', 'dev'] : ['dev'] }] } }] }],
    }),
    3,
  ],
  // A team's namespaces talk to each other (their policies decide); other teams are denied.
  [
    (rng, teams) => {
      const team = rng.pick(teams);
      return {
        name: `isolate-${team}`,
        ingress: [
          { name: 'same-team', action: 'Pass', from: [{ namespaces: { matchLabels: { team } } }] },
          { name: 'other-teams', action: 'Deny', from: [{ namespaces: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }] },
        ],
      };
    },
    4,
  ],
  // Databases only from the backend tier, on their ports.
  [
    () => ({
      name: 'guard-databases',
      ingress: [
        { name: 'backends', action: 'Pass', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'backend' } } } }], ports: [{ portRange: { protocol: 'TCP', start: 3306, end: 5432 } }, { namedPort: 'mongodb' }] },
        { name: 'everyone-else', action: 'Deny', from: [{ namespaces: {} }], ports: [{ portRange: { protocol: 'TCP', start: 3306, end: 5432 } }, { namedPort: 'mongodb' }] },
      ],
    }),
    2,
  ],
  // No SMTP or SSH out of the cluster; the intranet is passed to the namespaces' policies.
  [
    () => ({
      name: 'egress-guardrails',
      egress: [
        { name: 'intranet', action: 'Pass', to: [{ networks: ['10.0.0.0/8', '172.16.0.0/12'] }] },
        { name: 'smtp-ssh', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portNumber: { protocol: 'TCP', port: 25 } }, { portRange: { protocol: 'TCP', start: 22, end: 23 } }] },
      ],
    }),
    2,
  ],
];

/** `count` AdminNetworkPolicies with distinct priorities, and the baseline when asked. */
export function generateAdminPolicies(objects: readonly unknown[], count: number, baseline: boolean, seed: number): Json[] {
  const rng = new Prng(seed ^ 0x41444d4e);
  const teams = [...new Set(
    objects.flatMap((o) => {
      const ns = o as NamespaceObject;
      const team = ns.kind === 'Namespace' ? ns.metadata?.labels?.team : undefined;
      return team !== undefined && team !== 'platform' ? [team] : [];
    }),
  )];
  if (teams.length === 0) teams.push('none');
  const subject = (): Json =>
    rng.weighted([
      [{ namespaces: { matchLabels: { env: rng.pick(ENVS) } } }, 4],
      [{ namespaces: { matchLabels: { team: rng.pick(teams) } } }, 3],
      [{ namespaces: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }, 2],
      [{ pods: { namespaceSelector: { matchLabels: { env: rng.pick(ENVS) } }, podSelector: { matchLabels: { tier: rng.pick(['frontend', 'backend', 'db', 'cache']) } } } }, 2],
    ] as const);
  const out: Json[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const s = subject();
    const { name, ...rules } = rng.weighted(TEMPLATES)(rng, teams);
    let unique = name;
    for (let n = 2; names.has(unique); n++) unique = `${name}-${n}`;
    names.add(unique);
    // Distinct priorities, spread over the range: the order is always defined.
    out.push({ apiVersion: API, kind: 'AdminNetworkPolicy', metadata: { name: unique }, spec: { priority: Math.floor(((i + 1) * 1000) / (count + 1)), subject: s, ...rules } });
  }
  if (baseline) {
    out.push({
      apiVersion: API,
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: {
        subject: { namespaces: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } },
        ingress: [
          { name: 'monitoring', action: 'Allow', from: [MONITORING] },
          { name: 'other-namespaces', action: 'Deny', from: [{ namespaces: {} }] },
        ],
        egress: [
          { name: 'dns', action: 'Allow', to: [KUBE_DNS], ports: DNS_PORTS },
          { name: 'internet', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portRange: { protocol: 'TCP', start: 1, end: 1023 } }] },
        ],
      },
    });
  }
  return out;
}
