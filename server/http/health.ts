// Liveness and readiness. /healthz: the process answers (nothing more: restarting it would not
// bring a lost API server back). /readyz: the served data is complete and current: every watched
// resource (per namespace when scoped) has been listed once, and none has been without its watch
// for longer than the grace period (a watch that breaks and comes back within it is a blip, not an
// outage). A resource that is not installed (the admin-policy CRDs) is known to be empty: ready.
import type { Request, Response } from 'express';
import type { ResourceStatus } from '../../shared/model/status.ts';

/** States in which a resource's data is complete and current. */
const SERVING: ReadonlySet<string> = new Set(['synced', 'not-installed']);

export interface NotReady {
  resource: string;
  /** When the resource is watched per namespace. */
  namespace?: string;
  state: string;
  /** `not-synced-yet`: never listed completely; `lost`: listed once, without its watch past the grace period. */
  reason: 'not-synced-yet' | 'lost';
  /** ISO time it stopped being synced (for `lost`). */
  since?: string;
}

export interface ReadyReport {
  ready: boolean;
  notReady: NotReady[];
}

type StatusRecord = Readonly<Record<string, readonly ResourceStatus[]>>;

const keyOf = (resource: string, s: ResourceStatus) => `${resource}\t${s.namespace ?? ''}`;

export class Readiness {
  /** When each resource (and namespace) left a serving state; absent while serving. */
  private readonly lostSince = new Map<string, number>();

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes status changes as they are applied (the engine's deltas carry them), so "since" is exact. */
  observe(status: StatusRecord): void {
    for (const [resource, list] of Object.entries(status)) {
      for (const s of list) {
        const key = keyOf(resource, s);
        if (SERVING.has(s.state)) this.lostSince.delete(key);
        else if (!this.lostSince.has(key)) this.lostSince.set(key, this.now());
      }
    }
  }

  check(status: StatusRecord): ReadyReport {
    this.observe(status);
    const now = this.now();
    const notReady: NotReady[] = [];
    for (const [resource, list] of Object.entries(status)) {
      for (const s of list) {
        const where = { resource, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), state: s.state };
        if (!s.syncedOnce && s.state !== 'not-installed') {
          notReady.push({ ...where, reason: 'not-synced-yet' });
          continue;
        }
        const since = this.lostSince.get(keyOf(resource, s));
        if (since !== undefined && now - since >= this.graceMs) notReady.push({ ...where, reason: 'lost', since: new Date(since).toISOString() });
      }
    }
    return { ready: notReady.length === 0, notReady };
  }
}

/** The readiness answer: 200 `{ ready: true }`, or 503 naming what is missing (no error texts: unauthenticated). */
export function readyzHandler(report: () => ReadyReport) {
  return (_req: Request, res: Response): void => {
    const r = report();
    if (r.ready) {
      res.json({ ready: true });
      return;
    }
    const names = (reason: NotReady['reason']) =>
      r.notReady.filter((n) => n.reason === reason).map((n) => (n.namespace ? `${n.resource} in ${n.namespace}` : n.resource));
    const parts = [
      names('not-synced-yet').length > 0 ? `not listed yet: ${names('not-synced-yet').join(', ')}` : '',
      names('lost').length > 0 ? `watch lost: ${names('lost').join(', ')}` : '',
    ];
    res.status(503).json({ ready: false, message: parts.filter(Boolean).join('; '), notReady: r.notReady });
  };
}
