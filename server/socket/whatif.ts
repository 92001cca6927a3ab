// `whatif:objects`: the live cluster as the engine sees it, so the browser can preview a draft of
// policies on top of it with the shared engine. Read-only, and only the engine's model objects:
// namespaces, pods, policies of every tier and the workloads the pods form, copied field by field
// from the analysis (never raw API objects: no managedFields, no Secrets, no other kind).
import type { Cluster } from '../../shared/model/types.ts';
import type { WhatIfObjects } from '../../shared/protocol/events.ts';
import type { EngineState } from '../views/view-model.ts';

export function whatIfObjects(state: EngineState, source: string): WhatIfObjects {
  const { cluster, options } = state.analysis;
  // Named fields only: whatever else a Cluster may carry one day is not sent unless added here.
  const objects: Cluster = {
    namespaces: cluster.namespaces,
    pods: cluster.pods,
    policies: cluster.policies,
    workloads: cluster.workloads,
    adminPolicies: cluster.adminPolicies,
    baselineAdminPolicy: cluster.baselineAdminPolicy,
  };
  return {
    seq: state.seq,
    at: state.at,
    source,
    options: { ipBlockMatchesPods: options.ipBlockMatchesPods },
    objects,
    unknown: state.unknown === 'all' ? 'all' : [...state.unknown].sort(),
  };
}
