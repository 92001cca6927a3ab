// One watch stream: 200 with the headers flushed at once, chunked, one JSON event per line.
// resourceVersion "" or "0": ADDED for everything, then live; N: replay of the events after N
// (ERROR 410 then close when N is below the compaction floor); sendInitialEvents=true: ADDED for
// everything then a BOOKMARK annotated k8s.io/initial-events-end. Honours timeoutSeconds,
// allowWatchBookmarks (periodic BOOKMARK), label/field selectors (an object leaving the selection
// is DELETED, one entering it ADDED, as the real server does) and the fault rules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults, WatchHandle } from './faults.ts';
import type { ResourceDef } from './resources.ts';
import { matchesFields, matchesLabels } from './selectors.ts';
import type { FieldSelector, LabelSelector } from './selectors.ts';
import { errors, failure } from './status.ts';
import type { EventType, KubeObject, Store, StoreEvent } from './store.ts';
import { toTable } from './table.ts';
import type { IncludeObject } from './table.ts';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  /** The raw resourceVersion parameter (undefined when absent). */
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  /** Events carry meta.k8s.io Tables (kubectl get -w) instead of objects. */
  table?: { version: 'v1' | 'v1beta1'; includeObject: IncludeObject };
  /** Close right after the headers (the flap fault). */
  flap: boolean;
}

export interface WatchContext {
  store: Store;
  faults: Faults;
  bookmarkIntervalMs: number;
  now: () => number;
  /** Called when the status line is written. */
  onHeaders: (status: number) => void;
}

type JsonMap = Record<string, unknown>;

function metaOf(obj: Readonly<KubeObject>): JsonMap {
  const m = obj['metadata'];
  return m !== null && typeof m === 'object' ? (m as JsonMap) : {};
}

/** Throws a 400 ApiError for a resourceVersion that is not a number (checked before the headers). */
export function checkWatchResourceVersion(rv: string | undefined): void {
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw errors.badRequest(`resourceVersion: Invalid value: "${rv}": must be a number`);
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest, ctx: WatchContext): void {
  const { store, faults } = ctx;
  const def = w.def;
  const matches = (obj: Readonly<KubeObject>): boolean => {
    const meta = metaOf(obj);
    if (w.namespace !== undefined && meta['namespace'] !== w.namespace) return false;
    return matchesLabels(w.labels, meta['labels'] as Record<string, string> | undefined) && matchesFields(w.fields, obj);
  };

  const rvParam = w.resourceVersion ?? '';
  const fromState = rvParam === '' || rvParam === '0' || w.sendInitialEvents === true;
  const initialEvents = w.sendInitialEvents === true || (fromState && w.sendInitialEvents !== false);
  let replay: StoreEvent[] | undefined;
  let expired = false;
  if (!fromState) {
    replay = store.eventsAfter(Number(rvParam));
    expired = replay === undefined;
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  ctx.onHeaders(200);

  if (expired) {
    const status = failure(410, 'Expired', `too old resource version: ${rvParam} (${store.compactedResourceVersion})`);
    res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    return;
  }
  if (w.flap) {
    res.end();
    return;
  }

  let closed = false;
  let tableHeaderSent = false;
  const line = (type: EventType | 'BOOKMARK', object: Readonly<KubeObject>): string => {
    if (w.table && type !== 'BOOKMARK') {
      const table = toTable(def, [object], { resourceVersion: String(metaOf(object)['resourceVersion'] ?? '') }, { ...w.table, nowMs: ctx.now(), noHeaders: tableHeaderSent });
      tableHeaderSent = true;
      return `${JSON.stringify({ type, object: table })}\n`;
    }
    const json = type === 'BOOKMARK' ? JSON.stringify(object) : store.json(object);
    return `{"type":"${type}","object":${json}}\n`;
  };
  const write = (text: string): void => {
    if (!closed && text !== '') res.write(text);
  };
  const bookmarkObject = (annotations?: Record<string, string>): KubeObject => {
    const metadata: JsonMap = { resourceVersion: store.resourceVersion };
    if (annotations) metadata['annotations'] = annotations;
    return { kind: def.kind, apiVersion: def.apiVersion, metadata };
  };
  /** The event as this watch sees it (selectors turn MODIFIED into ADDED/DELETED), or undefined. */
  const translate = (e: StoreEvent): string | undefined => {
    if (e.resource !== def.resource) return undefined;
    if (e.type === 'MODIFIED') {
      const was = e.previous !== undefined && matches(e.previous);
      const now = matches(e.object);
      if (was && now) return line('MODIFIED', e.object);
      if (now) return line('ADDED', e.object);
      if (was) return line('DELETED', e.object);
      return undefined;
    }
    return matches(e.object) ? line(e.type, e.object) : undefined;
  };

  const stalledAtStart = faults.stalled(def.resource);
  if (!stalledAtStart) {
    let batch: string[] = [];
    const flush = (): void => {
      write(batch.join(''));
      batch = [];
    };
    if (replay) {
      for (const e of replay) {
        const l = translate(e);
        if (l !== undefined) batch.push(l);
        if (batch.length >= 500) flush();
      }
    } else if (initialEvents) {
      for (const obj of store.peekList(def.resource, w.namespace)) {
        if (!matches(obj)) continue;
        batch.push(line('ADDED', obj));
        if (batch.length >= 500) flush();
      }
      if (w.sendInitialEvents === true) batch.push(line('BOOKMARK', bookmarkObject({ 'k8s.io/initial-events-end': 'true' })));
    }
    flush();
  }

  const unsubscribe = store.subscribe((e) => {
    if (faults.stalled(def.resource)) return;
    const l = translate(e);
    if (l !== undefined) write(l);
  });
  const timers: NodeJS.Timeout[] = [];
  if (w.allowBookmarks && ctx.bookmarkIntervalMs > 0) {
    timers.push(setInterval(() => {
      if (!faults.stalled(def.resource)) write(line('BOOKMARK', bookmarkObject()));
    }, ctx.bookmarkIntervalMs));
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    timers.push(setTimeout(() => handle.end(), w.timeoutSeconds * 1000));
  }

  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    unregister();
  };
  const handle: WatchHandle = {
    resource: def.resource,
    allowBookmarks: w.allowBookmarks,
    drop: () => {
      cleanup();
      res.socket?.destroy();
      req.socket.destroy();
    },
    end: () => {
      cleanup();
      res.end();
    },
    expire: () => {
      const status = failure(410, 'Expired', `too old resource version: ${store.resourceVersion} (${store.compactedResourceVersion})`);
      write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      cleanup();
      res.end();
    },
    bookmark: () => write(line('BOOKMARK', bookmarkObject())),
  };
  const unregister = faults.register(handle);
  // The response's 'close' fires when the client goes away (or after end()): stop delivering.
  res.on('close', cleanup);
}
