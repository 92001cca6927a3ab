import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_M, POD_CIDR, SCALE_PRESETS, generateScaleCluster } from '../../server/sim/scale-cluster.ts';
import { analyze } from '../../shared/engine/engine.ts';
import { buildCluster } from '../../shared/kube/load.ts';

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  labels?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const podCidr = ipaddr.parseCIDR(POD_CIDR);

const byKind = (objects: unknown[], kind: string): Obj[] => (objects as Obj[]).filter((o) => o.kind === kind);

function labelSetKey(labels: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What the API server would reject, checked on the raw objects (independently of the loader). */
function structuralProblems(objects: unknown[]): string[] {
  const problems: string[] = [];
  const bad = (o: Obj, what: string): void => void problems.push(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${what}`);
  const namespaces = new Set(byKind(objects, 'Namespace').map((n) => n.metadata.name));
  const uids = new Set<string>();
  const names = new Set<string>();
  const ips = new Set<string>();

  const checkLabels = (o: Obj, labels: Record<string, string> | undefined): void => {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!LABEL_NAME.test(k) || k.split('/').pop()!.length > 63) bad(o, `label key ${k}`);
      if (!LABEL_VALUE.test(v) || v.length > 63) bad(o, `label value ${k}=${v}`);
    }
  };
  const checkSelector = (o: Obj, sel: unknown, where: string): void => {
    if (!sel || typeof sel !== 'object') return bad(o, `${where} is not a selector`);
    const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    const extra = Object.keys(s).filter((k) => k !== 'matchLabels' && k !== 'matchExpressions');
    if (extra.length > 0) bad(o, `${where} has ${extra.join(',')}`);
    checkLabels(o, s.matchLabels);
    for (const e of s.matchExpressions ?? []) {
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) bad(o, `${where} operator ${e.operator}`);
      if (needsValues !== (e.values !== undefined && e.values.length > 0)) bad(o, `${where} values for ${e.operator}`);
    }
  };
  const checkPeers = (o: Obj, peers: unknown, where: string): void => {
    if (peers === undefined) return;
    if (!Array.isArray(peers)) return bad(o, `${where} is not a list`);
    peers.forEach((p: Record<string, unknown>, i) => {
      const at = `${where}[${i}]`;
      if (p.ipBlock !== undefined) {
        if (p.podSelector !== undefined || p.namespaceSelector !== undefined) bad(o, `${at} ipBlock with a selector`);
        const block = p.ipBlock as { cidr: string; except?: string[] };
        const [net, bits] = ipaddr.parseCIDR(block.cidr);
        for (const ex of block.except ?? []) {
          const [exNet, exBits] = ipaddr.parseCIDR(ex);
          if (exNet.kind() !== net.kind() || exBits <= bits || !exNet.match(net, bits)) bad(o, `${at} except ${ex} outside ${block.cidr}`);
        }
      } else {
        if (p.podSelector === undefined && p.namespaceSelector === undefined) bad(o, `${at} empty peer`);
        if (p.podSelector !== undefined) checkSelector(o, p.podSelector, `${at}.podSelector`);
        if (p.namespaceSelector !== undefined) checkSelector(o, p.namespaceSelector, `${at}.namespaceSelector`);
      }
    });
  };
  const checkPorts = (o: Obj, ports: unknown, where: string): void => {
    if (ports === undefined) return;
    (ports as { protocol?: string; port?: number | string; endPort?: number }[]).forEach((p, i) => {
      const at = `${where}[${i}]`;
      if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) bad(o, `${at} protocol`);
      if (typeof p.port === 'number' && !(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535)) bad(o, `${at} port`);
      if (typeof p.port === 'string' && (!PORT_NAME.test(p.port) || p.port.length > 15)) bad(o, `${at} port name`);
      if (p.endPort !== undefined && !(typeof p.port === 'number' && p.endPort >= p.port && p.endPort <= 65535)) bad(o, `${at} endPort`);
    });
  };

  for (const o of objects as Obj[]) {
    const m = o.metadata;
    if (typeof m?.name !== 'string' || typeof m.uid !== 'string') {
      problems.push(`object without metadata.name/uid: ${JSON.stringify(o).slice(0, 100)}`);
      continue;
    }
    if (uids.has(m.uid)) bad(o, 'duplicate uid');
    uids.add(m.uid);
    const key = `${o.kind}/${m.namespace ?? ''}/${m.name}`;
    if (names.has(key)) bad(o, 'duplicate name');
    names.add(key);
    checkLabels(o, m.labels);
    switch (o.kind) {
      case 'Namespace':
        if (o.apiVersion !== 'v1' || !DNS_LABEL.test(m.name) || m.name.length > 63) bad(o, 'name');
        if (m.labels?.['kubernetes.io/metadata.name'] !== m.name) bad(o, 'kubernetes.io/metadata.name');
        break;
      case 'Pod': {
        if (o.apiVersion !== 'v1' || !DNS_SUBDOMAIN.test(m.name) || m.name.length > 253) bad(o, 'name');
        if (!m.namespace || !namespaces.has(m.namespace)) bad(o, 'namespace');
        const owners = m.ownerReferences ?? [];
        if (owners.length !== 1 || owners[0]!.controller !== true) bad(o, 'one controller owner');
        const owner = owners[0];
        if (owner?.kind === 'ReplicaSet' && owner.name !== `${m.name.split('-').slice(0, -2).join('-')}-${m.labels?.['pod-template-hash']}`) bad(o, 'ReplicaSet name');
        if (owner?.kind === 'StatefulSet' && !new RegExp(`^${owner.name}-\\d+$`).test(m.name)) bad(o, 'StatefulSet pod name');
        const status = o.status as { phase?: string; podIP?: string; podIPs?: { ip: string }[] };
        if (status.phase !== 'Running') bad(o, 'phase');
        const ip = status.podIP ?? '';
        if (!ipaddr.isValid(ip) || !ipaddr.parse(ip).match(podCidr)) bad(o, `podIP ${ip}`);
        if (status.podIPs?.[0]?.ip !== ip) bad(o, 'podIPs');
        if (ips.has(ip)) bad(o, `duplicate podIP ${ip}`);
        ips.add(ip);
        const containers = o.spec.containers as { name: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
        if (!Array.isArray(containers) || containers.length === 0) bad(o, 'containers');
        const portNames = new Set<string>();
        for (const c of containers ?? []) {
          for (const p of c.ports ?? []) {
            if (p.name !== undefined) {
              if (!PORT_NAME.test(p.name) || p.name.length > 15 || portNames.has(p.name)) bad(o, `port name ${p.name}`);
              portNames.add(p.name);
            }
            if (!(p.containerPort >= 1 && p.containerPort <= 65535)) bad(o, 'containerPort');
          }
        }
        break;
      }
      case 'NetworkPolicy': {
        if (o.apiVersion !== 'networking.k8s.io/v1' || !DNS_SUBDOMAIN.test(m.name) || m.name.length > 253) bad(o, 'name');
        if (!m.namespace || !namespaces.has(m.namespace)) bad(o, 'namespace');
        const spec = o.spec as { podSelector: unknown; policyTypes?: string[]; ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };
        checkSelector(o, spec.podSelector, 'spec.podSelector');
        for (const t of spec.policyTypes ?? []) if (t !== 'Ingress' && t !== 'Egress') bad(o, `policyType ${t}`);
        (spec.ingress ?? []).forEach((r, i) => {
          checkPeers(o, r.from, `spec.ingress[${i}].from`);
          checkPorts(o, r.ports, `spec.ingress[${i}].ports`);
        });
        (spec.egress ?? []).forEach((r, i) => {
          checkPeers(o, r.to, `spec.egress[${i}].to`);
          checkPorts(o, r.ports, `spec.egress[${i}].ports`);
        });
        break;
      }
      default:
        bad(o, 'unexpected kind');
    }
  }
  return problems;
}


describe('generateScaleCluster', () => {
  const s = generateScaleCluster(SCALE_PRESETS.S);

  it('produces exactly the requested numbers of namespaces, pods and policies', () => {
    expect(byKind(s, 'Namespace')).toHaveLength(SCALE_PRESETS.S.namespaces);
    expect(byKind(s, 'Pod')).toHaveLength(SCALE_PRESETS.S.pods);
    expect(byKind(s, 'NetworkPolicy')).toHaveLength(SCALE_PRESETS.S.policies);
    expect(s).toHaveLength(SCALE_PRESETS.S.namespaces + SCALE_PRESETS.S.pods + SCALE_PRESETS.S.policies);
    for (const spec of [{ pods: 37, namespaces: 3, policies: 0 }, { pods: 0, namespaces: 9, policies: 25 }, { pods: 500, namespaces: 12, policies: 300 }]) {
      const objects = generateScaleCluster(spec);
      expect([byKind(objects, 'Namespace').length, byKind(objects, 'Pod').length, byKind(objects, 'NetworkPolicy').length]).toEqual([
        spec.namespaces, spec.pods, spec.policies,
      ]);
      expect(structuralProblems(objects)).toEqual([]);
    }
  });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(generateScaleCluster(SCALE_PRESETS.S))).toBe(JSON.stringify(s));
    const a = JSON.stringify(generateScaleCluster({ ...SCALE_PRESETS.S, seed: 7 }));
    expect(JSON.stringify(generateScaleCluster({ ...SCALE_PRESETS.S, seed: 7 }))).toBe(a);
    expect(a).not.toBe(JSON.stringify(s));
  });

  it('produces structurally valid objects', () => {
    expect(structuralProblems(s)).toEqual([]);
  });

  it('looks like a real cluster: team namespaces, shared labels, replica sets and stateful sets', () => {
    const namespaces = byKind(s, 'Namespace').map((n) => n.metadata);
    expect(namespaces.filter((n) => /^team-\d{3}-[a-z]+$/.test(n.name)).length).toBe(SCALE_PRESETS.S.namespaces - 2);
    expect(namespaces.every((n) => n.name === 'kube-system' || n.labels?.env !== undefined)).toBe(true);
    const pods = byKind(s, 'Pod');
    const owners = new Map<string, number>();
    for (const p of pods) {
      const o = p.metadata.ownerReferences![0]!;
      owners.set(`${p.metadata.namespace}/${o.kind}/${o.name}`, (owners.get(`${p.metadata.namespace}/${o.kind}/${o.name}`) ?? 0) + 1);
    }
    expect(Math.max(...owners.values())).toBeLessThanOrEqual(10);
    expect([...owners.keys()].some((k) => k.includes('/StatefulSet/'))).toBe(true);
    expect(new Set(pods.map((p) => labelSetKey(p.metadata.labels))).size).toBeLessThan(pods.length / 2);
    const tiers = new Set(pods.map((p) => p.metadata.labels?.tier));
    for (const tier of ['frontend', 'backend', 'db', 'cache']) expect(tiers).toContain(tier);
  });

  it('mixes the policy kinds the brief asks for', () => {
    const m = generateScaleCluster(SCALE_PRESETS.M);
    const policies = byKind(m, 'NetworkPolicy');
    const text = policies.map((p) => JSON.stringify(p.spec));
    const deny = policies.filter((p) => p.metadata.name.startsWith('default-deny'));
    expect(deny.length / (SCALE_PRESETS.M.namespaces - 2)).toBeGreaterThan(0.7);
    expect(deny.length / (SCALE_PRESETS.M.namespaces - 2)).toBeLessThan(0.9);
    const has = (s: string): boolean => text.some((t) => t.includes(s));
    expect(has('"port":"http"')).toBe(true);
    expect(has('"port":5432')).toBe(true);
    expect(has('"endPort"')).toBe(true);
    expect(has('"except":["10.0.0.0/8","172.16.0.0/12","192.168.0.0/16"]')).toBe(true);
    expect(has('"protocol":"UDP","port":53')).toBe(true);
    expect(has('"kubernetes.io/metadata.name":"monitoring"')).toBe(true);
    // Cross-namespace peers: both selectors in one peer, and (the classic mistake) as two peers.
    expect(text.some((t) => /\{"namespaceSelector":\{"matchLabels":\{"team":"[^"]+"\}\},"podSelector"/.test(t))).toBe(true);
    expect(text.some((t) => /\{"namespaceSelector":\{"matchLabels":\{"team":"[^"]+"\}\}\},\{"podSelector"/.test(t))).toBe(true);
  });

  it('gives every pod its own label set in the adversarial variant', () => {
    const adv = generateScaleCluster(ADVERSARIAL_M);
    const pods = byKind(adv, 'Pod');
    expect(pods).toHaveLength(ADVERSARIAL_M.pods);
    expect(byKind(adv, 'NetworkPolicy')).toHaveLength(ADVERSARIAL_M.policies);
    expect(new Set(pods.map((p) => labelSetKey(p.metadata.labels))).size).toBe(pods.length);
    expect(new Set(pods.map((p) => p.metadata.labels?.app)).size).toBe(pods.length);
    // Policies still select by tier, and some by a (now unique) app label.
    const apps = new Set(pods.map((p) => p.metadata.labels?.app));
    const text = byKind(adv, 'NetworkPolicy').map((p) => JSON.stringify(p.spec));
    expect(text.some((t) => t.includes('"tier":"backend"'))).toBe(true);
    const appRefs = text.flatMap((t) => [...t.matchAll(/"app":"([^"]+)"/g)].map((x) => x[1]!));
    expect(appRefs.length).toBeGreaterThan(100);
    expect(appRefs.every((a) => apps.has(a))).toBe(true);
  });

  it('adds AdminNetworkPolicies and the baseline on their own random stream, selecting real pods', () => {
    const spec = { ...SCALE_PRESETS.S, adminPolicies: 12, baseline: true };
    const objects = generateScaleCluster(spec);
    expect(objects.slice(0, s.length)).toEqual(s);
    const admin = objects.slice(s.length) as { kind: string; spec: { priority?: number } }[];
    expect(admin.map((o) => o.kind)).toEqual([...Array<string>(12).fill('AdminNetworkPolicy'), 'BaselineAdminNetworkPolicy']);
    expect(new Set(admin.map((o) => o.spec.priority)).size).toBe(13);
    const { cluster, diagnostics } = buildCluster(objects.map((object) => ({ object })));
    expect(diagnostics).toEqual([]);
    const a = analyze(cluster, { ipBlockMatchesPods: true });
    expect(a.stats.admin?.policies).toBe(13);
    // The guardrails' Deny rules protect pods that no NetworkPolicy isolates.
    const plain = analyze(buildCluster(s.map((object) => ({ object }))).cluster, { ipBlockMatchesPods: true });
    const protectedNow = a.pods.filter((_, i) => JSON.stringify(a.isolation(i)) !== JSON.stringify(plain.isolation(i)));
    expect(protectedNow.length).toBeGreaterThan(a.pods.length / 10);
  });

  it('loads with no error diagnostics', () => {
    const { cluster, diagnostics } = buildCluster(s.map((object) => ({ object })));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(cluster.namespaces).toHaveLength(SCALE_PRESETS.S.namespaces);
    expect(cluster.pods).toHaveLength(SCALE_PRESETS.S.pods);
    expect(cluster.policies).toHaveLength(SCALE_PRESETS.S.policies);
    expect(cluster.pods.every((p) => p.exclusion === null && p.ips.length === 1 && !p.template)).toBe(true);
    // Pods of a ReplicaSet belong to its Deployment.
    const rsPod = byKind(s, 'Pod').find((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')!;
    const hash = rsPod.metadata.labels!['pod-template-hash']!;
    const deployment = rsPod.metadata.ownerReferences![0]!.name.slice(0, -(hash.length + 1));
    const loaded = cluster.pods.find((p) => p.id === `${rsPod.metadata.namespace}/${rsPod.metadata.name}`);
    expect(loaded?.workload).toBe(`${rsPod.metadata.namespace}/${deployment}[Deployment]`);
  });
});
