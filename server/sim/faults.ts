// Fault injection for tests, scoped per resource: rules that shape the next request(s) (one-shot
// or sticky) and actions on the watches open right now. The same operations are reachable over
// HTTP through the control endpoint (`POST /_sim/faults {"action": ..., ...}`).
import { ApiError, codeReason, errors } from './status.ts';
import { ALL_RESOURCES, RESOURCES, isSimResource } from './resources.ts';
import type { SimResource, SimVerb } from './resources.ts';
import type { Store } from './store.ts';

export type FaultResource = SimResource | '*';

export interface FaultScope {
  /** Which resource ('*' or absent: every resource). */
  resource?: FaultResource;
  /** Which verbs (absent: every verb). */
  verbs?: SimVerb[];
}

export interface RuleOptions extends FaultScope {
  /** Keep the rule until it is cleared (default differs per fault, see each method). */
  sticky?: boolean;
  /** Apply to this many requests, then disappear (overrides sticky). */
  times?: number;
}

export type FaultAction =
  | { type: 'status'; code: number; reason: string; message: string }
  | { type: 'delay'; ms: number }
  | { type: 'flap' }
  | { type: 'stall' };

export interface FaultRule {
  id: number;
  action: FaultAction;
  resource: FaultResource;
  verbs: SimVerb[] | null;
  /** Requests it still applies to (Infinity: sticky). */
  remaining: number;
  /** Also applies to non-resource requests (discovery, /version, OpenAPI). */
  nonResource: boolean;
}

/** What the server registers for each open watch, so faults can act on it. */
export interface WatchHandle {
  readonly resource: SimResource;
  readonly allowBookmarks: boolean;
  /** Destroys the socket (the client sees a premature close). */
  drop(): void;
  /** Ends the response cleanly. */
  end(): void;
  /** Sends an ERROR event with a 410 Expired Status, then ends. */
  expire(): void;
  /** Sends a BOOKMARK with the current resourceVersion. */
  bookmark(): void;
}

/** What applies to one request, decided when it arrives. */
export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
  flap: boolean;
}

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly watches = new Set<WatchHandle>();

  constructor(private readonly store: Store) {}

  // ----- rules for the next requests -----

  private add(action: FaultAction, opts: RuleOptions, defaults: { sticky: boolean; verbs?: SimVerb[]; nonResource?: boolean }): number {
    const resource = opts.resource ?? '*';
    if (resource !== '*' && !isSimResource(resource)) throw new Error(`unknown resource "${String(resource)}"`);
    const sticky = opts.sticky ?? defaults.sticky;
    const remaining = opts.times !== undefined ? Math.max(1, Math.floor(opts.times)) : sticky ? Infinity : 1;
    const verbs = opts.verbs ?? defaults.verbs ?? null;
    const rule: FaultRule = { id: this.nextId++, action, resource, verbs, remaining, nonResource: resource === '*' && (defaults.nonResource ?? false) };
    this.rules.push(rule);
    return rule.id;
  }

  /** Answers the next matching request(s) with this HTTP status and a Status body. One-shot by default. */
  failNext(code: number, opts: RuleOptions & { message?: string } = {}): number {
    const reason = codeReason(code);
    return this.add({ type: 'status', code, reason, message: opts.message ?? `injected fault: ${code} ${reason}` }, opts, { sticky: false });
  }

  /** 500 on the next list (of the resource). One-shot by default. */
  failNextList(opts: RuleOptions & { code?: number } = {}): number {
    return this.failNext(opts.code ?? 500, { verbs: ['list'], ...opts });
  }

  /** HTTP 410 Gone/Expired as the answer to the next watch request. One-shot by default. */
  goneOnNextWatch(opts: RuleOptions = {}): number {
    return this.add({ type: 'status', code: 410, reason: 'Expired', message: 'too old resource version (injected)' }, { verbs: ['watch'], ...opts }, { sticky: false });
  }

  /** 403 Forbidden for the resource (every verb), sticky until cleared. */
  forbid(resource: FaultResource = '*', opts: RuleOptions = {}): number {
    return this.add({ type: 'status', code: 403, reason: 'Forbidden', message: '' }, { ...opts, resource }, { sticky: true });
  }

  /** 401 Unauthorized, as if the token were missing or revoked; sticky until cleared. */
  unauthorized(opts: RuleOptions = {}): number {
    return this.add({ type: 'status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }, opts, { sticky: true, nonResource: true });
  }

  /** Delays answers (for a watch: its headers) by `ms`; sticky until cleared by default. */
  delay(ms: number, opts: RuleOptions = {}): number {
    return this.add({ type: 'delay', ms: Math.max(0, ms) }, opts, { sticky: true, nonResource: true });
  }

  /** Every new watch is closed cleanly right after its headers; sticky until cleared by default. */
  flap(opts: RuleOptions = {}): number {
    return this.add({ type: 'flap' }, { verbs: ['watch'], ...opts }, { sticky: true });
  }

  /** Open and new watches stay open but deliver nothing (events are lost, as with a hung server). */
  stall(opts: FaultScope = {}): number {
    return this.add({ type: 'stall' }, { ...opts, verbs: ['watch'] }, { sticky: true });
  }

  /** Removes one rule by id, or every rule (of a resource when given). */
  clear(target?: number | { resource?: FaultResource }): void {
    if (typeof target === 'number') this.rules = this.rules.filter((r) => r.id !== target);
    else if (target?.resource !== undefined && target.resource !== '*') this.rules = this.rules.filter((r) => r.resource !== target.resource);
    else this.rules = [];
  }

  /** The active rules (copies). */
  active(): FaultRule[] {
    return this.rules.map((r) => ({ ...r, action: { ...r.action }, verbs: r.verbs ? [...r.verbs] : null }));
  }

  private applies(rule: FaultRule, resource: SimResource | undefined, verb: SimVerb | undefined): boolean {
    if (resource === undefined) return rule.nonResource;
    if (rule.resource !== '*' && rule.resource !== resource) return false;
    if (rule.verbs && (verb === undefined || !rule.verbs.includes(verb))) return false;
    return true;
  }

  private consume(rule: FaultRule): void {
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
  }

  /** Decides (and uses up one-shot rules) for an arriving request. */
  decide(resource: SimResource | undefined, verb: SimVerb | undefined, namespace?: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, flap: false };
    for (const rule of [...this.rules]) {
      if (!this.applies(rule, resource, verb)) continue;
      const a = rule.action;
      if (a.type === 'delay') {
        decision.delayMs = Math.max(decision.delayMs, a.ms);
        this.consume(rule);
      } else if (a.type === 'status' && !decision.error) {
        if (a.code === 403) decision.error = errors.forbidden(resource === undefined ? undefined : RESOURCES[resource], verb ?? 'get', namespace);
        else if (a.code === 401) decision.error = errors.unauthorized();
        else if (a.code === 410) decision.error = errors.expired(a.message);
        else decision.error = new ApiError(a.code, a.reason, a.message);
        this.consume(rule);
      } else if (a.type === 'flap' && !decision.flap) {
        decision.flap = true;
        this.consume(rule);
      }
    }
    return decision;
  }

  /** Whether watches of the resource deliver nothing right now. */
  stalled(resource: SimResource): boolean {
    return this.rules.some((r) => r.action.type === 'stall' && (r.resource === '*' || r.resource === resource));
  }

  // ----- actions on the open watches -----

  register(watch: WatchHandle): () => void {
    this.watches.add(watch);
    return () => this.watches.delete(watch);
  }

  private each(resource: FaultResource | undefined, fn: (w: WatchHandle) => void): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (resource !== undefined && resource !== '*' && w.resource !== resource) continue;
      fn(w);
      n++;
    }
    return n;
  }

  /** Open watches per resource. */
  openWatches(): Record<SimResource, number> {
    const out = Object.fromEntries(ALL_RESOURCES.map((r) => [r, 0])) as Record<SimResource, number>;
    for (const w of this.watches) out[w.resource] += 1;
    return out;
  }

  /** Destroys the sockets of the open watches; returns how many. */
  dropWatches(resource?: FaultResource): number {
    return this.each(resource, (w) => w.drop());
  }

  /** Ends the open watches cleanly; returns how many. */
  endWatches(resource?: FaultResource): number {
    return this.each(resource, (w) => w.end());
  }

  /** Sends an ERROR event with a 410 Expired Status on the open watches, then ends them. */
  expireWatches(resource?: FaultResource): number {
    return this.each(resource, (w) => w.expire());
  }

  /** Sends a BOOKMARK now on the open watches that asked for bookmarks (all with `force`). */
  bookmarkNow(resource?: FaultResource, opts: { force?: boolean } = {}): number {
    let n = 0;
    this.each(resource, (w) => {
      if (w.allowBookmarks || opts.force) {
        w.bookmark();
        n++;
      }
    });
    return n;
  }

  /** Raises the compaction floor (default: to the current resourceVersion): older watch RVs get 410. */
  compact(resourceVersion?: number | string): string {
    this.store.compact(resourceVersion);
    return this.store.compactedResourceVersion;
  }

  /** The operation named `action` with JSON options: what the HTTP control endpoint calls. */
  perform(action: string, o: Record<string, unknown> = {}): unknown {
    const resource = o['resource'] as FaultResource | undefined;
    const rule: RuleOptions = {};
    if (resource !== undefined) rule.resource = resource;
    if (Array.isArray(o['verbs'])) rule.verbs = o['verbs'] as SimVerb[];
    if (typeof o['sticky'] === 'boolean') rule.sticky = o['sticky'];
    if (typeof o['times'] === 'number') rule.times = o['times'];
    switch (action) {
      case 'failNext':
        return { id: this.failNext(Number(o['code'] ?? 500), { ...rule, ...(typeof o['message'] === 'string' ? { message: o['message'] } : {}) }) };
      case 'failNextList':
        return { id: this.failNextList({ ...rule, ...(typeof o['code'] === 'number' ? { code: o['code'] } : {}) }) };
      case 'goneOnNextWatch':
        return { id: this.goneOnNextWatch(rule) };
      case 'forbid':
        return { id: this.forbid(resource ?? '*', rule) };
      case 'unauthorized':
        return { id: this.unauthorized(rule) };
      case 'delay':
        return { id: this.delay(Number(o['ms'] ?? 0), rule) };
      case 'flap':
        return { id: this.flap(rule) };
      case 'stall':
        return { id: this.stall(rule) };
      case 'clear':
        this.clear(typeof o['id'] === 'number' ? o['id'] : resource !== undefined ? { resource } : undefined);
        return { cleared: true };
      case 'dropWatches':
        return { affected: this.dropWatches(resource) };
      case 'endWatches':
        return { affected: this.endWatches(resource) };
      case 'expireWatches':
        return { affected: this.expireWatches(resource) };
      case 'bookmarkNow':
        return { affected: this.bookmarkNow(resource, { force: o['force'] === true }) };
      case 'compact':
        return { compactedResourceVersion: this.compact(o['resourceVersion'] as string | number | undefined) };
      default:
        throw errors.badRequest(`unknown fault action "${action}"`);
    }
  }
}
