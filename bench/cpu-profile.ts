// Where a process's time went, from a V8 CPU profile (the inspector's Profiler.stop result): the
// functions by self time, the project's functions (server/, shared/) by inclusive time, and the
// stalls — stretches without an idle sample, when the event loop answered nobody.

/** The parts of a V8 CPU profile read here. */
export interface CpuProfile {
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Wall time covered, and the part of it spent idle (ms). */
  totalMs: number;
  idleMs: number;
  self: { fn: string; ms: number }[];
  /** Project functions by inclusive time (their callees included). */
  inclusive: { fn: string; ms: number }[];
  /** Busy stretches of at least `stallMs`, grouped by the outermost project functions running in them. */
  stalls: { where: string; count: number; totalMs: number; maxMs: number }[];
}

// tsx compiles each file to one line: the file names the code, line numbers do not.
const frameName = (f: { functionName: string; url: string }): string => `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}`;
const isProject = (url: string): boolean => /\/(server|shared)\//.test(url) && !url.includes('/node_modules/');

export function summarizeProfile(profile: CpuProfile, options: { top?: number; stallMs?: number } = {}): ProfileSummary {
  const top = options.top ?? 12;
  const stallMs = options.stallMs ?? 250;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, { names: string[]; project: string[] }>();
  const stackOf = (id: number) => {
    let s = stacks.get(id);
    if (!s) {
      const frames: { functionName: string; url: string }[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur)!.callFrame);
      frames.reverse();
      s = { names: frames.map(frameName), project: frames.filter((f) => isProject(f.url)).map(frameName) };
      stacks.set(id, s);
    }
    return s;
  };

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stalls = new Map<string, { count: number; totalMs: number; maxMs: number }>();
  let totalMs = 0;
  let idleMs = 0;
  let stretch: { ms: number; labels: Map<string, number> } | null = null;
  const endStretch = () => {
    if (stretch && stretch.ms >= stallMs) {
      const where = [...stretch.labels].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '(no project code)';
      const s = stalls.get(where) ?? { count: 0, totalMs: 0, maxMs: 0 };
      stalls.set(where, { count: s.count + 1, totalMs: s.totalMs + stretch.ms, maxMs: Math.max(s.maxMs, stretch.ms) });
    }
    stretch = null;
  };
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { names, project } = stackOf(id);
    const leaf = names[names.length - 1]!;
    // The profiler's own start and stop calls are not the process's work.
    if (names.some((n) => n.endsWith(' node:inspector'))) return;
    totalMs += ms;
    if (leaf.startsWith('(idle)')) {
      idleMs += ms;
      endStretch();
      return;
    }
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    for (const fn of new Set(project)) inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
    stretch ??= { ms: 0, labels: new Map() };
    stretch.ms += ms;
    // Named frames only: the anonymous ones are timer and event callbacks wrapping the real work.
    const named = project.filter((fn) => !fn.startsWith('(anonymous)'));
    const label = named.slice(0, 2).join(' > ') || (leaf.startsWith('(garbage collector)') ? leaf : '(no project code)');
    stretch.labels.set(label, (stretch.labels.get(label) ?? 0) + ms);
  });
  endStretch();
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, ms]) => ({ fn, ms }));
  return {
    totalMs,
    idleMs,
    self: sorted(self),
    inclusive: sorted(inclusive),
    stalls: [...stalls].map(([where, s]) => ({ where, ...s })).sort((a, b) => b.totalMs - a.totalMs),
  };
}
