// Resources the API server may or may not serve (the AdminNetworkPolicy CRDs: installed on some
// clusters only). API discovery (GET /apis/GROUP/VERSION) decides, and is asked again now and
// then so CRDs installed (or removed) later are picked up:
// - served: the resource is watched by a ResourceWatcher (the same guarded informer as pods);
// - 404, or the resource missing from the list: status `not-installed` (known: none of them);
// - 403: `forbidden` (unknown), anything else: `error` (unknown until known once), retried with
//   backoff; while a watcher runs, a failed discovery changes nothing (the watcher knows better).
// A watcher that reports an error (a CRD removed answers 404 to lists) brings the next discovery
// forward, so a removal is noticed within seconds rather than at the next interval.
import type { KubeConfig } from '@kubernetes/client-node';
import { backoffDelay } from './backoff.ts';
import { ResourceWatcher, describeError, statusCodeOf } from './resource-watcher.ts';
import type { WatchTarget, WatcherSettings, WatcherSink } from './resource-watcher.ts';
import type { ResourceKind, ResourceState, ResourceStatus } from './source.ts';

export interface DiscoveredGroup {
  /** `policy.networking.k8s.io/v1alpha1`, for messages. */
  groupVersion: string;
  /** The names of the resources the API server serves in the group version (the APIResourceList); must honour `signal`. */
  discover(signal: AbortSignal): Promise<readonly string[]>;
  /** Each resource's watch, by the name discovery lists it under. */
  targets: readonly WatchTarget[];
}

export interface DiscoverySettings {
  /** Discovery is asked again this often (ms). */
  intervalMs: number;
  /** Discovery is never asked more often than this, even when watchers fail (ms). */
  minIntervalMs: number;
}

interface Slot {
  target: WatchTarget;
  watcher: ResourceWatcher | undefined;
  /** The status while no watcher runs. */
  status: ResourceStatus;
  /** The last status reported to the sink (a new watcher's first `syncing` may repeat it). */
  reported: ResourceStatus | undefined;
  /** Requests of earlier watchers of this slot (a watcher is replaced when the CRD comes back). */
  past: { lists: number; watches: number; restarts: number };
}

export class DiscoveredResources {
  private readonly slots: Slot[];
  private readonly session = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** When the scheduled discovery runs (ms since epoch). */
  private nextAt = Infinity;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private failures = 0;
  private lastDiscoveryAt = -Infinity;
  /** Discovery requests sent, for tests and metrics. */
  discoveries = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly group: DiscoveredGroup,
    private readonly settings: WatcherSettings,
    private readonly discovery: DiscoverySettings,
    private readonly sink: WatcherSink,
  ) {
    this.slots = group.targets.map((target) => ({
      target,
      watcher: undefined,
      status: { state: 'syncing', syncedOnce: false },
      reported: undefined,
      past: { lists: 0, watches: 0, restarts: 0 },
    }));
  }

  get resources(): ResourceKind[] {
    return this.slots.map((s) => s.target.resource);
  }

  status(): { resource: ResourceKind; status: ResourceStatus }[] {
    return this.slots.map((s) => ({ resource: s.target.resource, status: s.watcher ? s.watcher.status() : { ...s.status } }));
  }

  requestCounts(): { resource: ResourceKind; lists: number; watches: number; restarts: number }[] {
    return this.slots.map((s) => {
      const now = s.watcher?.counters ?? { lists: 0, watches: 0, restarts: 0 };
      return { resource: s.target.resource, lists: s.past.lists + now.lists, watches: s.past.watches + now.watches, restarts: s.past.restarts + now.restarts };
    });
  }

  /** Reports `syncing` for each resource and asks discovery; does not wait for its answer. */
  start(): void {
    if (this.started) throw new Error('DiscoveredResources starts once');
    this.started = true;
    for (const slot of this.slots) this.emit(slot);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.session.abort(new Error('stopped'));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await Promise.all(this.slots.map((s) => s.watcher?.stop()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextAt = Infinity;
      this.running ??= this.discover().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref?.();
  }

  /** A watcher failed: maybe the resource is gone. Ask discovery soon (not sooner than minIntervalMs after the last). */
  private watcherFailed(): void {
    if (this.stopped || this.running) return;
    const at = Math.max(Date.now(), this.lastDiscoveryAt + this.discovery.minIntervalMs);
    if (at < this.nextAt) this.schedule(at - Date.now());
  }

  private async discover(): Promise<void> {
    if (this.stopped) return;
    this.lastDiscoveryAt = Date.now();
    this.discoveries++;
    const timeout = AbortSignal.timeout(this.settings.listTimeoutMs);
    let served: ReadonlySet<string> | undefined;
    let failure: { state: ResourceState; message: string } | undefined;
    try {
      served = new Set(await this.group.discover(AbortSignal.any([this.session.signal, timeout])));
    } catch (err) {
      if (this.stopped) return;
      const code = statusCodeOf(err);
      if (code === 404) served = new Set();
      else {
        const message = timeout.aborted ? `discovery of ${this.group.groupVersion} did not answer within ${this.settings.listTimeoutMs} ms` : `discovery of ${this.group.groupVersion}: ${describeError(err)}`;
        failure = { state: code === 403 ? 'forbidden' : 'error', message };
      }
    }
    if (this.stopped) return;
    if (served) {
      const names = served;
      this.failures = 0;
      await Promise.all(this.slots.map((slot) => this.apply(slot, names.has(slot.target.resource))));
      this.schedule(this.discovery.intervalMs);
      return;
    }
    this.failures++;
    const delay = Math.min(this.discovery.intervalMs, backoffDelay(this.failures, this.settings.backoff, this.settings.random));
    this.sink.log(`${failure!.message}; asking again in ${delay} ms`);
    for (const slot of this.slots) {
      // A running watcher knows better than a failed discovery.
      if (slot.watcher) continue;
      this.setStatus(slot, { ...slot.status, state: failure!.state, lastError: failure!.message });
    }
    this.schedule(delay);
  }

  private async apply(slot: Slot, served: boolean): Promise<void> {
    if (served && !slot.watcher) {
      const sink: WatcherSink = {
        event: (event) => {
          if (event.type === 'status') {
            if (sameStatus(slot.reported, event.status)) return;
            slot.reported = event.status;
            if (event.status.state === 'error') this.watcherFailed();
          }
          this.sink.event(event);
        },
        log: (message) => this.sink.log(message),
      };
      slot.watcher = new ResourceWatcher(this.kubeConfig, slot.target, this.settings, sink);
      slot.watcher.start();
      return;
    }
    if (served) return;
    if (slot.watcher) {
      const watcher = slot.watcher;
      slot.watcher = undefined;
      await watcher.stop();
      for (const k of ['lists', 'watches', 'restarts'] as const) slot.past[k] += watcher.counters[k];
      this.sink.log(`${slot.target.resource}: no longer served by the API server (${this.group.groupVersion}); stopped watching`);
      if (this.stopped) return;
      // The watcher's last status is what consumers hold: always report the change.
      slot.status = { state: 'not-installed', syncedOnce: true };
      this.emit(slot);
      return;
    }
    this.setStatus(slot, { state: 'not-installed', syncedOnce: true });
  }

  private setStatus(slot: Slot, next: ResourceStatus): void {
    const before = slot.status;
    if (before.state === next.state && before.lastError === next.lastError && before.syncedOnce === next.syncedOnce) return;
    const status: ResourceStatus = { state: next.state, syncedOnce: next.syncedOnce };
    if (next.lastError !== undefined) status.lastError = next.lastError;
    slot.status = status;
    this.emit(slot);
  }

  private emit(slot: Slot): void {
    if (this.stopped) return;
    slot.reported = { ...slot.status };
    this.sink.event({ type: 'status', resource: slot.target.resource, status: { ...slot.status } });
  }
}

const sameStatus = (a: ResourceStatus | undefined, b: ResourceStatus) =>
  a !== undefined && a.state === b.state && a.syncedOnce === b.syncedOnce && a.lastError === b.lastError;
