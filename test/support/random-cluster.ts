// A seeded generator of small, valid, adversarial raw clusters (Namespace, Pod and NetworkPolicy
// objects as a manifest folder would hold them, optionally admin policies), for the differential
// test of the engine against the reference evaluator. Tiny vocabularies (labels, ports, port names, addresses) make selectors,
// ports and CIDRs hit and miss each other often.
import { formatIp, parseCidr } from '../../shared/model/ip.ts';
import { randomAdminPolicies } from './random-admin.ts';

type Json = Record<string, unknown>;

/** mulberry32: a small, fast, seeded 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi], inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }
  /** A random subset, in the original order. */
  subset<T>(items: readonly T[], p = 0.5): T[] {
    return items.filter(() => this.chance(p));
  }
  /** A uniform bigint in [lo, hi]. */
  bigint(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 32n) | BigInt(Math.floor(this.next() * 4294967296));
    return lo + (v % span);
  }
}

const NAMESPACE_NAMES = ['default', 'alpha', 'beta', 'gamma', 'delta'] as const;
const NS_LABELS: Record<string, readonly string[]> = { team: ['red', 'blue'], env: ['prod', 'dev'] };
const POD_LABELS: Record<string, readonly string[]> = { app: ['web', 'db', 'api'], tier: ['front', 'back'], role: ['x'] };
const POD_BASE_NAMES = ['web', 'db', 'api', 'job'] as const;
const PORT_NAMES = ['http', 'dns', 'metrics', 'db'] as const;
const CONTAINER_PORTS = [53, 80, 81, 443, 8080, 9090] as const;
const POLICY_PORTS = [1, 53, 80, 81, 443, 8080, 9090, 65535] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const IPV4_POOL = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5', '10.0.0.9', '10.0.1.7', '10.1.2.3', '10.200.0.4', '192.168.1.10', '192.168.1.11', '172.16.5.5'];
const IPV6_POOL = ['fd00::1', 'fd00::2', 'fd00::a', 'fd00::1:5', 'fd01::7', '2001:db8::10'];
const NODE_IP = '172.18.0.2';
const FIXED_CIDRS = [
  '10.0.0.0/24',
  '10.0.0.0/16',
  '10.0.0.0/8',
  '10.1.2.3/8',
  '10.0.0.4/30',
  '10.0.0.0/28',
  '0.0.0.0/0',
  '192.168.0.0/16',
  '192.168.1.10/31',
  '172.16.0.0/12',
  '11.0.0.0/8',
];
const FIXED_CIDRS_V6 = ['::/0', 'fd00::/8', 'fd00::/120', 'fd00::1/64', '2001:db8::/32'];

interface GenPod {
  namespace: string;
  labels: Record<string, string>;
  ips: string[];
  portNames: string[];
}

/** `admin`: add AdminNetworkPolicies and a BaselineAdminNetworkPolicy (random-admin.ts); without it the output for a seed never changes. */
export function randomCluster(seed: number, options: { admin?: boolean } = {}): unknown[] {
  const r = new Random(seed);
  const objects: Json[] = [];

  // --- Namespaces: some given as objects (with or without the name label), some only referenced.
  const namespaces = r.subset(NAMESPACE_NAMES, 0.5);
  if (r.chance(0.6) && !namespaces.includes('default')) namespaces.unshift('default');
  while (namespaces.length < 2) {
    const extra = r.pick(NAMESPACE_NAMES);
    if (!namespaces.includes(extra)) namespaces.push(extra);
  }
  namespaces.splice(4);
  for (const name of namespaces) {
    if (r.chance(0.3)) continue; // exists only implicitly
    const labels: Record<string, string> = {};
    for (const [key, values] of Object.entries(NS_LABELS)) if (r.chance(0.5)) labels[key] = r.pick(values);
    if (r.chance(0.5)) labels['kubernetes.io/metadata.name'] = name;
    const metadata: Json = { name };
    if (Object.keys(labels).length > 0 || r.chance(0.3)) metadata.labels = labels;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata });
  }

  // --- Pods.
  const pods: GenPod[] = [];
  const perNamespace = new Map<string, number>();
  const freeV4 = [...IPV4_POOL];
  const freeV6 = [...IPV6_POOL];
  const takeIp = (pool: string[]): string | undefined => (pool.length === 0 ? undefined : pool.splice(r.int(0, pool.length - 1), 1)[0]);
  const podCount = r.int(2, 10);
  for (let i = 0; i < podCount; i++) {
    const namespace = r.pick(namespaces);
    const n = perNamespace.get(namespace) ?? 0;
    perNamespace.set(namespace, n + 1);
    const name = `${r.pick(POD_BASE_NAMES)}${n}`;

    let labels: Record<string, string> = {};
    const previous = pods.length > 0 && r.chance(0.3) ? r.pick(pods) : undefined;
    if (previous) labels = { ...previous.labels };
    else for (const [key, values] of Object.entries(POD_LABELS)) if (r.chance(0.5)) labels[key] = r.pick(values);

    // Containers: port names unique within a container (validation), shared across containers
    // and pods, sometimes the same name on another protocol.
    const containers: Json[] = [];
    const usedPortProto = new Set<string>();
    const portNames: string[] = [];
    const containerCount = r.chance(0.3) ? 2 : 1;
    for (let c = 0; c < containerCount; c++) {
      const ports: Json[] = [];
      const namesHere = new Set<string>();
      const portCount = r.int(0, 3);
      for (let k = 0; k < portCount; k++) {
        const containerPort = r.pick(CONTAINER_PORTS);
        const protocol = r.chance(0.6) ? 'TCP' : r.pick(PROTOCOLS);
        if (usedPortProto.has(`${protocol}/${containerPort}`)) continue;
        usedPortProto.add(`${protocol}/${containerPort}`);
        const port: Json = { containerPort };
        if (protocol !== 'TCP' || r.chance(0.4)) port.protocol = protocol;
        if (r.chance(0.7)) {
          const portName = r.pick(PORT_NAMES);
          if (!namesHere.has(portName)) {
            namesHere.add(portName);
            portNames.push(portName);
            port.name = portName;
          }
        }
        ports.push(port);
      }
      const container: Json = { name: `c${c}`, image: 'registry.example/app:1' };
      if (ports.length > 0) container.ports = ports;
      containers.push(container);
    }

    // Fate: mostly running; sometimes pending without IP, host network, finished or deleted.
    const fate = r.pick([
      ...Array<string>(14).fill('running'),
      'pending',
      'pending',
      'hostNetwork',
      'succeeded',
      'failed',
      'deleted-stopped',
      'deleted-running',
    ]);
    const spec: Json = { containers };
    const status: Json = {};
    const metadata: Json = { name };
    if (namespace !== 'default' || r.chance(0.5)) metadata.namespace = namespace;
    if (Object.keys(labels).length > 0 || r.chance(0.2)) metadata.labels = labels;

    let ips: string[] = [];
    if (fate === 'hostNetwork') {
      spec.hostNetwork = true;
      ips = [NODE_IP];
    } else if (fate !== 'pending' && !(fate === 'succeeded' && r.chance(0.5))) {
      const family = r.float();
      const v4 = family < 0.85 ? takeIp(freeV4) : undefined;
      const v6 = family >= 0.7 ? takeIp(freeV6) : undefined;
      ips = [v4, v6].filter((ip): ip is string => ip !== undefined);
      if (ips.length === 2 && r.chance(0.5)) ips.reverse();
    }
    const phase = { pending: 'Pending', succeeded: 'Succeeded', failed: 'Failed' }[fate] ?? 'Running';
    status.phase = phase;
    if (ips.length > 0) {
      status.podIP = ips[0];
      if (ips.length > 1 || r.chance(0.7)) status.podIPs = ips.map((ip) => ({ ip }));
    }
    if (fate === 'deleted-stopped' || fate === 'deleted-running') {
      metadata.deletionTimestamp = '2024-05-01T12:00:00Z';
      status.containerStatuses = containers.map((c, k) => ({
        name: c.name,
        ready: false,
        state:
          fate === 'deleted-stopped' || k > 0
            ? { terminated: { exitCode: 0, reason: 'Completed' } }
            : { running: { startedAt: '2024-05-01T11:00:00Z' } },
      }));
    } else if (phase === 'Running' && r.chance(0.4)) {
      status.containerStatuses = containers.map((c) => ({ name: c.name, ready: true, state: { running: { startedAt: '2024-05-01T11:00:00Z' } } }));
    }
    objects.push({ apiVersion: 'v1', kind: 'Pod', metadata, spec, status });
    pods.push({ namespace, labels, ips, portNames });
  }

  // --- NetworkPolicies.
  const podIpsV4 = pods.flatMap((p) => p.ips).filter((ip) => !ip.includes(':'));
  const podIpsV6 = pods.flatMap((p) => p.ips).filter((ip) => ip.includes(':'));
  const allPortNames = [...new Set(pods.flatMap((p) => p.portNames)), 'nope'];

  const selector = (vocab: Record<string, readonly string[]>, extraKey?: { key: string; values: readonly string[] }): Json => {
    const shape = r.int(0, 9);
    if (shape <= 1) return {};
    if (shape === 2) return { matchLabels: {} };
    const keys = Object.keys(vocab);
    const valuesOf = (key: string): readonly string[] => (key === extraKey?.key ? extraKey.values : [...(vocab[key] ?? []), 'zzz']);
    if (extraKey) keys.push(extraKey.key);
    const out: Json = {};
    if (shape <= 6) {
      const matchLabels: Record<string, string> = {};
      const count = r.int(1, 2);
      for (let i = 0; i < count; i++) {
        const key = r.pick(keys);
        matchLabels[key] = r.pick(valuesOf(key));
      }
      out.matchLabels = matchLabels;
    }
    if (shape >= 5) {
      const expressions: Json[] = [];
      const count = r.int(1, 2);
      for (let i = 0; i < count; i++) {
        const key = r.pick(keys);
        const operator = r.pick(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
        const expression: Json = { key, operator };
        if (operator === 'In' || operator === 'NotIn') {
          const values = r.subset(valuesOf(key), 0.4);
          expression.values = values.length > 0 ? values : [r.pick(valuesOf(key))];
        } else if (r.chance(0.3)) {
          expression.values = [];
        }
        expressions.push(expression);
      }
      out.matchExpressions = expressions;
    }
    return out;
  };
  const podSelector = (): Json => selector(POD_LABELS);
  const namespaceSelector = (): Json =>
    selector(NS_LABELS, { key: 'kubernetes.io/metadata.name', values: [...NAMESPACE_NAMES, 'omega'] });

  /** A CIDR, sometimes with host bits set, and sometimes except entries (strict subsets). */
  const ipBlock = (): Json => {
    const v6 = podIpsV6.length > 0 ? r.chance(0.3) : r.chance(0.08);
    let text: string;
    const shape = r.int(0, 9);
    if (shape <= 4) text = r.pick(v6 ? FIXED_CIDRS_V6 : FIXED_CIDRS);
    else if (shape <= 7 && (v6 ? podIpsV6 : podIpsV4).length > 0) {
      const ip = r.pick(v6 ? podIpsV6 : podIpsV4);
      const prefix = v6 ? r.pick([128, 127, 120, 64]) : r.pick([32, 32, 31, 30, 24, 16]);
      text = `${ip}/${prefix}`; // host bits set unless the prefix is the full length
    } else text = r.pick(v6 ? FIXED_CIDRS_V6 : FIXED_CIDRS);
    const block: Json = { cidr: text };
    const parsed = parseCidr(text);
    if (!parsed) throw new Error(`generator: bad CIDR ${text}`);
    const bits = v6 ? 128 : 32;
    if (parsed.prefix < bits && r.chance(0.45)) {
      const except: string[] = [];
      const count = r.int(1, 2);
      const inside = (v6 ? podIpsV6 : podIpsV4).filter((ip) => {
        const p = parseCidr(`${ip}/${bits}`);
        return p !== null && p.first >= parsed.first && p.last <= parsed.last;
      });
      for (let i = 0; i < count; i++) {
        const prefix = r.int(parsed.prefix + 1, Math.min(bits, parsed.prefix + (r.chance(0.5) ? 2 : 40)));
        let hole: string;
        if (inside.length > 0 && r.chance(0.6)) {
          hole = `${r.pick(inside)}/${prefix}`;
        } else {
          hole = `${formatIp(parsed.family, r.bigint(parsed.first, parsed.last))}/${prefix}`;
        }
        // Mostly canonical; sometimes left with host bits, like the CIDR itself.
        const canonical = parseCidr(hole)?.text ?? hole;
        except.push(r.chance(0.8) ? canonical : hole);
      }
      block.except = except;
    }
    return { ipBlock: block };
  };

  const peer = (): Json => {
    switch (r.int(0, 9)) {
      case 0:
        return { podSelector: podSelector() };
      case 1:
        return { namespaceSelector: namespaceSelector() };
      case 2:
        return { podSelector: podSelector(), namespaceSelector: namespaceSelector() };
      case 3:
        return r.chance(0.5) ? { podSelector: {} } : { podSelector: {}, namespaceSelector: namespaceSelector() };
      case 4:
        return r.chance(0.5) ? { namespaceSelector: {} } : { namespaceSelector: {}, podSelector: podSelector() };
      case 5:
        return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.pick([...namespaces, 'omega']) } } };
      default:
        return ipBlock();
    }
  };

  const portEntry = (): Json => {
    const protocol = (): Json => (r.chance(0.5) ? {} : { protocol: r.pick(PROTOCOLS) });
    switch (r.int(0, 11)) {
      case 0:
        return {};
      case 1:
        return { protocol: r.pick(PROTOCOLS) };
      case 2:
      case 3:
      case 4:
        return { ...protocol(), port: r.pick(POLICY_PORTS) };
      case 5:
      case 6: {
        const port = r.pick(POLICY_PORTS);
        const ends = POLICY_PORTS.filter((p) => p >= port);
        return { ...protocol(), port, endPort: r.pick(ends) };
      }
      default:
        return { ...protocol(), port: r.pick(allPortNames) };
    }
  };

  const rule = (direction: 'from' | 'to'): Json => {
    const out: Json = {};
    const peersShape = r.int(0, 5);
    if (peersShape === 1) out[direction] = [];
    else if (peersShape >= 2) out[direction] = Array.from({ length: r.int(1, 3) }, peer);
    const portsShape = r.int(0, 6);
    if (portsShape === 1) out.ports = [];
    else if (portsShape === 2) out.ports = [{}];
    else if (portsShape >= 3) out.ports = Array.from({ length: r.int(1, 3) }, portEntry);
    return out;
  };

  const rules = (direction: 'from' | 'to'): Json[] | undefined => {
    const shape = r.int(0, 7);
    if (shape === 0) return undefined;
    if (shape === 1) return [];
    if (shape === 2) return [{}];
    return Array.from({ length: r.int(1, 3) }, () => rule(direction));
  };

  const policyNamespaces = [...namespaces, 'omega'];
  const perNamespacePolicies = new Map<string, number>();
  const policyCount = r.int(0, 5);
  for (let i = 0; i < policyCount; i++) {
    const namespace = r.chance(0.9) ? r.pick(namespaces) : r.pick(policyNamespaces);
    const n = perNamespacePolicies.get(namespace) ?? 0;
    perNamespacePolicies.set(namespace, n + 1);
    const metadata: Json = { name: `np${n}` };
    if (namespace !== 'default' || r.chance(0.5)) metadata.namespace = namespace;
    const spec: Json = { podSelector: podSelector() };
    const typesShape = r.int(0, 6);
    if (typesShape === 1) spec.policyTypes = [];
    else if (typesShape === 2) spec.policyTypes = ['Ingress'];
    else if (typesShape === 3) spec.policyTypes = ['Egress'];
    else if (typesShape === 4) spec.policyTypes = ['Ingress', 'Egress'];
    else if (typesShape === 5) spec.policyTypes = ['Egress', 'Ingress'];
    // typesShape 0 and 6: missing.
    const ingress = rules('from');
    const egress = rules('to');
    if (ingress !== undefined) spec.ingress = ingress;
    if (egress !== undefined) spec.egress = egress;
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec });
  }

  if (options.admin) {
    const cidr = (): string => ((ipBlock().ipBlock as Json).cidr as string);
    objects.push(...randomAdminPolicies(r, { podSelector, namespaceSelector, cidr, portNames: allPortNames, ports: POLICY_PORTS }));
  }

  // Manifest folders come in any order.
  for (let i = objects.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [objects[i], objects[j]] = [objects[j]!, objects[i]!];
  }
  return objects;
}
