import { EXIT, loadAndAnalyze, type Output } from './common.ts';

export interface UnprotectedOptions {
  direction: 'ingress' | 'egress' | 'any';
  fail: boolean;
  format: 'text' | 'json';
  ipblockMatchesPods: boolean;
}

/** Pods nothing isolates (per direction: no NetworkPolicy, no admin Deny rule), grouped by workload: a CI gate with --fail. */
export function runUnprotected(paths: string[], opts: UnprotectedOptions, io: Output): number {
  const { analysis: a, hasErrors } = loadAndAnalyze(paths, opts.ipblockMatchesPods, io);
  const rows = a.pods.flatMap((pod, i) => {
    const iso = a.isolation(i);
    const open = { ingress: !iso.ingress, egress: !iso.egress };
    const hit = opts.direction === 'any' ? open.ingress || open.egress : open[opts.direction];
    return hit ? [{ pod: pod.id, workload: pod.workload, unprotected: open }] : [];
  });
  if (opts.format === 'json') {
    io.out(JSON.stringify({ direction: opts.direction, pods: a.pods.length, unprotected: rows }, null, 2) + '\n');
  } else {
    const byWorkload = new Map<string, { pods: number; ingress: boolean; egress: boolean }>();
    for (const r of rows) {
      const w = byWorkload.get(r.workload) ?? { pods: 0, ingress: false, egress: false };
      w.pods++;
      w.ingress ||= r.unprotected.ingress;
      w.egress ||= r.unprotected.egress;
      byWorkload.set(r.workload, w);
    }
    for (const [workload, w] of byWorkload) {
      const dirs = [w.ingress ? 'ingress' : '', w.egress ? 'egress' : ''].filter(Boolean).join(' + ');
      io.out(`${workload}  ${w.pods} pod${w.pods === 1 ? '' : 's'}  unprotected for ${dirs}\n`);
    }
    io.out(`${rows.length} of ${a.pods.length} pods unprotected (${opts.direction === 'any' ? 'ingress or egress' : opts.direction})\n`);
  }
  if (hasErrors) return EXIT.inputErrors;
  return opts.fail && rows.length > 0 ? EXIT.gateFailed : EXIT.ok;
}
