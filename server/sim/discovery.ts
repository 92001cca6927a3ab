// Legacy discovery documents (/api, /apis, /api/v1, /apis/GROUP[/VERSION]) and /version. Aggregated
// discovery (apidiscovery.k8s.io/v2) is not served: answering a request for it with plain
// application/json makes kubectl and client-go fall back to these documents.
import { createHash } from 'node:crypto';
import { DISCOVERY_VERBS, groupVersions } from './resources.ts';
import type { ResourceDef } from './resources.ts';

export const SIM_KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-sim' };

export function versionInfo(): Record<string, string> {
  return {
    major: SIM_KUBERNETES_VERSION.major,
    minor: SIM_KUBERNETES_VERSION.minor,
    gitVersion: SIM_KUBERNETES_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-06T09:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function storageVersionHash(def: ResourceDef): string {
  return createHash('sha256').update(`${def.group}/${def.version}/${def.kind}`).digest('base64').slice(0, 11);
}

export function apiResource(def: ResourceDef): Record<string, unknown> {
  const r: Record<string, unknown> = {
    name: def.resource,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: [...DISCOVERY_VERBS],
    storageVersionHash: storageVersionHash(def),
  };
  if (def.shortNames.length > 0) r['shortNames'] = def.shortNames;
  if (def.categories.length > 0) r['categories'] = def.categories;
  return r;
}

export class Discovery {
  constructor(
    private readonly servesAdminPolicies: boolean,
    private readonly serverAddress: () => string,
  ) {}

  /** GET /api */
  coreVersions(): Record<string, unknown> {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    };
  }

  private groups(): Record<string, unknown>[] {
    const byGroup = new Map<string, string[]>();
    for (const gv of groupVersions(this.servesAdminPolicies)) {
      if (gv.group === '') continue;
      const versions = byGroup.get(gv.group) ?? [];
      versions.push(gv.version);
      byGroup.set(gv.group, versions);
    }
    return [...byGroup.entries()].map(([name, versions]) => {
      const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: list, preferredVersion: list[0] };
    });
  }

  /** GET /apis */
  groupList(): Record<string, unknown> {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups() };
  }

  /** GET /apis/GROUP, or undefined when the group is not served. */
  group(name: string): Record<string, unknown> | undefined {
    const g = this.groups().find((x) => x['name'] === name);
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
  }

  /** GET /api/v1 or /apis/GROUP/VERSION, or undefined when not served. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const gv = groupVersions(this.servesAdminPolicies).find((x) => x.group === group && x.version === version);
    if (!gv) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: gv.resources.map(apiResource),
    };
  }
}
