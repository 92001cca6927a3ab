import type { DirectionExplanation, Explanation } from '../../shared/engine/analysis.ts';
import { resolveEndpoints } from '../../shared/engine/resolve.ts';
import type { Protocol } from '../../shared/model/types.ts';
import { EXIT, loadAndAnalyze, type Output } from './common.ts';

export interface CheckOptions {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  format: 'json' | 'text';
  expect?: 'allowed' | 'denied';
  ipblockMatchesPods: boolean;
}

/** Is `from` allowed to open `to` on a port, and why, per direction (every pod pair of workloads). */
export function runCheck(paths: string[], opts: CheckOptions, io: Output): number {
  const { analysis: a, hasErrors } = loadAndAnalyze(paths, opts.ipblockMatchesPods, io);
  const from = resolveEndpoints(a, opts.from, 'source');
  const to = resolveEndpoints(a, opts.to, 'destination');
  for (const r of [from, to]) {
    if ('error' in r) {
      io.err(`error: ${r.error}\n`);
      return EXIT.inputErrors;
    }
  }
  if ('error' in from || 'error' in to) return EXIT.inputErrors;
  const port = { protocol: opts.protocol, port: opts.port };
  const pairs = from.endpoints.flatMap((f) =>
    to.endpoints.flatMap((t) => (f.kind === t.kind && f.index === t.index ? [] : [{ f, t, explanation: a.explain(f, t, port) }])),
  );
  const allowedPairs = pairs.filter((p) => p.explanation.verdict).length;
  const verdict = pairs.length > 0 && allowedPairs === pairs.length ? 'allowed' : allowedPairs === 0 ? 'denied' : 'partly allowed';
  const name = (e: { kind: string; index: number }) => (e.kind === 'pod' ? a.pods[e.index]!.id : a.externals[e.index]!.id);
  if (opts.format === 'json') {
    io.out(
      JSON.stringify(
        {
          from: from.label,
          to: to.label,
          protocol: opts.protocol,
          port: opts.port,
          verdict,
          pairs: pairs.map((p) => ({ from: name(p.f), to: name(p.t), ...explanationJson(p.explanation) })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.out(`${verdict.toUpperCase()}: ${from.label} -> ${to.label} on ${opts.port}/${opts.protocol}\n`);
    if (pairs.length > 1) io.out(`  ${allowedPairs} of ${pairs.length} pod pairs allowed\n`);
    // Distinct explanations only: pods of one workload usually share them.
    const seen = new Set<string>();
    for (const p of pairs) {
      const text = explanationText(p.explanation, opts.port, opts.protocol);
      if (seen.has(text)) continue;
      seen.add(text);
      io.out(`  ${name(p.f)} -> ${name(p.t)}: ${p.explanation.verdict ? 'allowed' : 'denied'}\n${text}`);
    }
  }
  if (hasErrors) return EXIT.inputErrors;
  if (opts.expect && opts.expect !== verdict) return EXIT.gateFailed;
  return EXIT.ok;
}

function explanationJson(e: Explanation) {
  const dir = (d: DirectionExplanation) => ({
    isolated: d.isolated,
    policies: d.policies,
    rules: d.rules.map((r) => ({ policy: r.policy, rule: r.rule, ...(r.tier ? { tier: r.tier } : {}), ports: r.ports.toJSON() })),
    allowed: d.ports.toJSON(),
    ...(d.admin
      ? {
          admin: {
            policies: d.admin.policies,
            baseline: d.admin.baseline,
            rules: d.admin.rules.map((r) => ({ tier: r.tier, policy: r.policy, rule: r.rule, action: r.action, ports: r.ports.toJSON() })),
            passed: d.admin.passed.toJSON(),
          },
        }
      : {}),
  });
  return { allowed: e.verdict, ports: e.allowed.toJSON(), egress: dir(e.egress), ingress: dir(e.ingress) };
}

const TIER_KIND = { anp: 'AdminNetworkPolicy', banp: 'BaselineAdminNetworkPolicy' } as const;

function explanationText(e: Explanation, port: number, protocol: Protocol): string {
  const dir = (label: string, d: DirectionExplanation, side: string) => {
    const ok = d.ports.has(protocol, port);
    // The admin rule of a tier that decides this port (first match), if any.
    const decisive = (tier: 'anp' | 'banp') => d.admin?.rules.find((r) => r.tier === tier && r.ports.has(protocol, port));
    const anp = decisive('anp');
    const adminLine = (r: NonNullable<ReturnType<typeof decisive>>, to: string) =>
      `      ${TIER_KIND[r.tier]} ${r.policy} ${label}[${r.rule}]: ${r.action}${to}\n`;
    if (anp && anp.action !== 'Pass') return `    ${label}: ${ok ? 'allowed' : 'denied'}\n${adminLine(anp, '')}`;
    const passed = anp ? adminLine(anp, d.isolated ? ', to the NetworkPolicies' : ', to the baseline') : '';
    if (!d.isolated) {
      if (!d.admin) return `    ${label}: allowed (no policy isolates the ${side} for ${label})\n`;
      const banp = decisive('banp');
      const rest = banp ? adminLine(banp, '') : `      no rule of any tier matches it: allowed by default\n`;
      return `    ${label}: ${ok ? 'allowed' : 'denied'}\n${passed}${rest}`;
    }
    const rules = d.rules.filter((r) => r.ports.has(protocol, port));
    const head = `    ${label}: ${ok ? 'allowed' : 'denied'} (isolated by ${d.policies.join(', ')})\n${passed}`;
    if (ok) return `${head}${rules.map((r) => `      allowed by ${r.policy} ${label}[${r.rule}] (opens ${r.ports.key()})\n`).join('')}`;
    const near = d.rules.map((r) => `      ${r.policy} ${label}[${r.rule}] matches the peer but opens only ${r.ports.key()}\n`).join('');
    return `${head}${near || `      no rule of these policies matches the ${side === 'source' ? 'destination' : 'source'}\n`}`;
  };
  return dir('egress', e.egress, 'source') + dir('ingress', e.ingress, 'destination');
}
