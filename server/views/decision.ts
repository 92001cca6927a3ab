// How the tiers decided one direction of a pod pair, in evaluation order (semantics.md, last
// section): AdminNetworkPolicy rules first (Allow, Deny, Pass), what they leave goes to the
// NetworkPolicies isolating the side, else to the BaselineAdminNetworkPolicy, else is allowed.
// Made from the engine's explanation; each step names the tier, the rule and its action, and
// the ports it decided, so "which rule decided port 5432" has one answer.
import type { DirectionExplanation } from '../../shared/engine/analysis.ts';
import { PortSet } from '../../shared/model/port-set.ts';
import type { AdminNetworkPolicy, Cluster } from '../../shared/model/types.ts';
import type { DecisionStepJSON } from '../../shared/protocol/events.ts';

type Direction = 'ingress' | 'egress';

/** The steps, or undefined when no admin policy applies to this side in this direction. */
export function decisionSteps(cluster: Cluster, direction: Direction, d: DirectionExplanation): DecisionStepJSON[] | undefined {
  const admin = d.admin;
  if (!admin) return undefined;
  const steps: DecisionStepJSON[] = [];
  const anp = (name: string): AdminNetworkPolicy | undefined => cluster.adminPolicies.find((p) => p.name === name);
  for (const r of admin.rules) {
    if (r.tier !== 'anp' || r.ports.isEmpty()) continue;
    const policy = anp(r.policy);
    const ruleName = policy?.[direction][r.rule]?.name ?? '';
    const priority = policy?.priority;
    const label = `ANP ${r.policy}${priority === undefined ? '' : ` (priority ${priority})`} rule ${r.rule}${ruleName ? ` "${ruleName}"` : ''}`;
    steps.push({
      tier: 'anp',
      action: r.action,
      ports: r.ports.toJSON(),
      policy: r.policy,
      rule: r.rule,
      ...(ruleName ? { ruleName } : {}),
      ...(priority === undefined ? {} : { priority }),
      text: `${label}: ${r.action === 'Pass' ? 'Pass (handed to the tiers below)' : r.action}`,
    });
  }
  const passed = admin.passed;
  if (passed.isEmpty()) return steps;
  if (d.isolated) {
    // The NetworkPolicies decide what reached them: what their rules open, and nothing else.
    const opened = d.rules.reduce((all, r) => all.union(r.ports), PortSet.EMPTY);
    const allowed = passed.intersect(opened);
    const denied = passed.subtract(opened);
    if (!allowed.isEmpty()) steps.push({ tier: 'np', action: 'Allow', ports: allowed.toJSON(), text: 'passed to NetworkPolicy: allowed by its rules' });
    if (!denied.isEmpty()) steps.push({ tier: 'np', action: 'Deny', ports: denied.toJSON(), text: 'passed to NetworkPolicy: isolated, no rule allows it' });
    return steps;
  }
  let left = passed;
  for (const r of admin.rules) {
    if (r.tier !== 'banp') continue;
    const ports = left.intersect(r.ports);
    if (ports.isEmpty()) continue;
    left = left.subtract(ports);
    const ruleName = cluster.baselineAdminPolicy?.[direction][r.rule]?.name ?? '';
    steps.push({
      tier: 'banp',
      action: r.action,
      ports: ports.toJSON(),
      policy: r.policy,
      rule: r.rule,
      ...(ruleName ? { ruleName } : {}),
      text: `BANP ${r.policy} rule ${r.rule}${ruleName ? ` "${ruleName}"` : ''}: ${r.action}`,
    });
  }
  if (!left.isEmpty()) steps.push({ tier: 'default', action: 'Allow', ports: left.toJSON(), text: 'no rule of any tier matches: allowed' });
  return steps;
}
