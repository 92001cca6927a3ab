// HTTP routing of the simulated Kubernetes API server: discovery, OpenAPI, the resource verbs
// (list, watch, get, create, update, patch, delete), bearer tokens, fault rules, the request log,
// and the control endpoint under /_sim/ (not Kubernetes: for tests and tools).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Discovery, versionInfo } from './discovery.ts';
import type { Faults } from './faults.ts';
import { OPENAPI_V2_PROTOBUF, OpenApi } from './openapi.ts';
import { PROTOBUF, decodeProtobufBody } from './protobuf.ts';
import type { RequestLog, RequestRecord } from './requests.ts';
import { ADMIN_POLICY_GROUP, RESOURCES } from './resources.ts';
import type { ResourceDef, SimVerb } from './resources.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, errors } from './status.ts';
import type { StatusBody } from './status.ts';
import type { KubeObject, Store } from './store.ts';
import { parseIncludeObject, tableVersion, toTable } from './table.ts';
import { checkWatchResourceVersion, serveWatch } from './watch.ts';

export interface ControlHooks {
  /** GET /_sim/state */
  state(): unknown;
  /** POST /_sim/churn {action: start|stop|step, n?, rate?} */
  churn?(action: string, options: Record<string, unknown>): unknown;
}

export interface ApiServerOptions {
  store: Store;
  faults: Faults;
  requests: RequestLog;
  tokens: readonly string[];
  servesAdminPolicies: boolean;
  https: boolean;
  bookmarkIntervalMs: number;
  now: () => number;
  /** host:port clients use (for /api serverAddressByClientCIDRs). */
  serverAddress: () => string;
  control: ControlHooks;
}

interface Route {
  kind: 'resource';
  def: ResourceDef;
  namespace?: string;
  name?: string;
  verb: SimVerb;
}

type JsonMap = Record<string, unknown>;

const MAX_BODY = 3 * 1024 * 1024;
const KNOWN_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const KNOWN_METADATA = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function flag(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function encodeContinue(rv: string, key: string): string {
  return Buffer.from(JSON.stringify({ v: 'sim/1', rv, start: key })).toString('base64url');
}

function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isMap(parsed) && typeof parsed['rv'] === 'string' && typeof parsed['start'] === 'string') return { rv: parsed['rv'], start: parsed['start'] };
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function objectKey(def: ResourceDef, obj: Readonly<KubeObject>): string {
  const meta = isMap(obj['metadata']) ? obj['metadata'] : {};
  return def.namespaced ? `${String(meta['namespace'])}/${String(meta['name'])}` : String(meta['name']);
}

/** Unknown fields for fieldValidation: only the top level and metadata are known to this server. */
function unknownFields(body: unknown): string[] {
  if (!isMap(body)) return [];
  const out: string[] = [];
  for (const k of Object.keys(body)) if (!KNOWN_TOP_LEVEL.has(k)) out.push(k);
  const meta = body['metadata'];
  if (isMap(meta)) for (const k of Object.keys(meta)) if (!KNOWN_METADATA.has(k)) out.push(`metadata.${k}`);
  return out;
}

export class ApiServer {
  private readonly discovery: Discovery;
  private readonly openapi: OpenApi;

  constructor(private readonly o: ApiServerOptions) {
    this.discovery = new Discovery(o.servesAdminPolicies, o.serverAddress);
    this.openapi = new OpenApi(o.servesAdminPolicies);
  }

  /** The request listener for node:http / node:https. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) this.sendError(res, err);
      else res.destroy();
    });
  };

  private served(def: ResourceDef): boolean {
    return this.o.servesAdminPolicies || def.group !== ADMIN_POLICY_GROUP;
  }

  /** Maps a path and method to a resource verb; undefined for non-resource paths. */
  private route(method: string, segments: string[], query: URLSearchParams): Route | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 2) {
      group = '';
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else {
      return undefined;
    }
    if (rest.length === 0) return undefined;
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    const find = (name: string | undefined): ResourceDef | undefined => {
      const def = Object.values(RESOURCES).find((r) => r.resource === name && r.group === group && r.version === version);
      return def && this.served(def) ? def : undefined;
    };
    let def: ResourceDef | undefined;
    let namespace: string | undefined;
    let name: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      def = find(rest[2]);
      if (!def || !def.namespaced || rest.length > 4) throw errors.pathNotFound();
      name = rest[3];
    } else {
      def = find(rest[0]);
      if (!def || rest.length > 2) throw errors.pathNotFound();
      name = rest[1];
      if (name !== undefined && def.namespaced) throw errors.pathNotFound();
    }
    const watch = legacyWatch || flag(query.get('watch'));
    let verb: SimVerb;
    switch (method) {
      case 'GET':
        verb = watch ? 'watch' : name === undefined ? 'list' : 'get';
        break;
      case 'POST':
        if (name !== undefined) throw errors.methodNotAllowed(method);
        verb = 'create';
        break;
      case 'PUT':
        if (name === undefined) throw errors.methodNotAllowed(method);
        verb = 'update';
        break;
      case 'PATCH':
        if (name === undefined) throw errors.methodNotAllowed(method);
        verb = 'patch';
        break;
      case 'DELETE':
        if (name === undefined) throw errors.methodNotAllowed(method);
        verb = 'delete';
        break;
      default:
        throw errors.methodNotAllowed(method);
    }
    const route: Route = { kind: 'resource', def, verb };
    if (namespace !== undefined) route.namespace = namespace;
    if (name !== undefined) route.name = name;
    return route;
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.o.tokens.length === 0) return true;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    return m !== null && this.o.tokens.includes(m[1]!.trim());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const query = Object.fromEntries(url.searchParams.entries());

    let route: Route | undefined;
    let routeError: unknown;
    try {
      route = this.route(method, segments, url.searchParams);
    } catch (err) {
      routeError = err;
    }
    const entry: Omit<RequestRecord, 'seq' | 'status' | 'durationMs'> = { time: new Date(started).toISOString(), method, path: url.pathname, query };
    if (route) {
      entry.resource = route.def.resource;
      entry.verb = route.verb;
      if (route.namespace !== undefined) entry.namespace = route.namespace;
      if (route.name !== undefined) entry.name = route.name;
    }
    if (typeof req.headers['user-agent'] === 'string') entry.userAgent = req.headers['user-agent'];
    if (typeof req.headers['content-type'] === 'string') entry.contentType = req.headers['content-type'];
    const record = this.o.requests.add(entry);
    const answered = (status: number): void => this.o.requests.answered(record, status, started);
    res.on('finish', () => answered(res.statusCode));
    res.on('close', () => answered(res.headersSent ? res.statusCode : 499));

    try {
      if (segments[0] === '_sim') {
        await this.control(req, res, method, segments.slice(1));
        return;
      }
      if (['healthz', 'livez', 'readyz'].includes(segments[0] ?? '') && segments.length === 1) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      if (!this.authorized(req)) throw errors.unauthorized();
      const decision = this.o.faults.decide(route?.def.resource, route?.verb, route?.namespace);
      if (decision.delayMs > 0) {
        await sleep(decision.delayMs);
        if (res.destroyed || req.socket.destroyed) return;
      }
      if (decision.error) throw decision.error;
      if (routeError !== undefined) throw routeError;
      if (route) await this.resource(req, res, route, url.searchParams, decision.flap, answered);
      else this.nonResource(req, res, method, segments);
    } catch (err) {
      if (!res.headersSent) this.sendError(res, err);
      else res.destroy();
    }
  }

  // ----- answers -----

  private sendJson(res: ServerResponse, code: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...extraHeaders });
    res.end(text);
  }

  private sendError(res: ServerResponse, err: unknown): void {
    let status: StatusBody;
    if (err instanceof ApiError) status = err.toStatus();
    else status = errors.internal(`Internal error occurred: ${err instanceof Error ? err.message : String(err)}`).toStatus();
    this.sendJson(res, status.code, status);
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, method: string, segments: string[]): void {
    if (method !== 'GET') throw errors.methodNotAllowed(method);
    const accept = req.headers.accept;
    const path = segments.join('/');
    // Aggregated discovery (Accept: ...;as=APIGroupDiscoveryList) is not served: the legacy
    // document as plain application/json makes kubectl and client-go fall back to it.
    let body: unknown;
    if (path === 'version') body = versionInfo();
    else if (path === 'api') body = this.discovery.coreVersions();
    else if (path === 'apis') body = this.discovery.groupList();
    else if (segments[0] === 'api' && segments.length === 2) body = this.discovery.resourceList('', segments[1]!);
    else if (segments[0] === 'apis' && segments.length === 2) body = this.discovery.group(segments[1]!);
    else if (segments[0] === 'apis' && segments.length === 3) body = this.discovery.resourceList(segments[1]!, segments[2]!);
    else if (path === 'openapi/v2') {
      if (accept?.includes('protobuf')) {
        const pb = this.openapi.v2Protobuf();
        res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': pb.length });
        res.end(pb);
        return;
      }
      body = this.openapi.v2Json();
    } else if (path === 'openapi/v3') body = this.openapi.v3Index();
    else if (segments[0] === 'openapi' && segments[1] === 'v3') body = this.openapi.v3Document(segments.slice(2).join('/'));
    if (body === undefined) throw errors.pathNotFound();
    this.sendJson(res, 200, body);
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      chunks.push(b);
    }
    const raw = Buffer.concat(chunks);
    if ((req.headers['content-type'] ?? '').startsWith(PROTOBUF)) return decodeProtobufBody(raw);
    const text = raw.toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw errors.badRequest(`the body of the request is not valid JSON: ${(err as Error).message}`);
    }
  }

  private checkBodyType(req: IncomingMessage): void {
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && type !== '*/*' && type !== '' && type !== PROTOBUF) throw errors.unsupportedMediaType(type);
  }

  /** fieldValidation=Strict: 400 for unknown fields; Warn: a Warning header. */
  private fieldValidation(query: URLSearchParams, body: unknown): Record<string, string> {
    const mode = query.get('fieldValidation') ?? 'Warn';
    if (mode === 'Ignore') return {};
    const unknown = unknownFields(body);
    if (unknown.length === 0) return {};
    if (mode === 'Strict') throw errors.badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    return { Warning: unknown.map((f) => `299 - "unknown field \\"${f}\\""`).join(', ') };
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    query: URLSearchParams,
    flap: boolean,
    answered: (status: number) => void,
  ): Promise<void> {
    const { store } = this.o;
    const def = route.def;
    const dryRun = query.getAll('dryRun').includes('All');
    const table = tableVersion(req.headers.accept);
    const includeObject = parseIncludeObject(query.get('includeObject'));
    const ns = route.namespace;
    switch (route.verb) {
      case 'list':
        return this.list(res, route, query, table ? { version: table, includeObject } : undefined);
      case 'watch': {
        const fields = parseFieldSelector(query.get('fieldSelector') ?? '', def.resource);
        if (route.name !== undefined) fields.push({ field: 'metadata.name', value: route.name, negate: false });
        const rv = query.get('resourceVersion') ?? undefined;
        checkWatchResourceVersion(rv);
        const timeout = query.get('timeoutSeconds');
        const sendInitial = query.get('sendInitialEvents');
        serveWatch(
          req,
          res,
          {
            def,
            ...(ns === undefined ? {} : { namespace: ns }),
            labels: parseLabelSelector(query.get('labelSelector') ?? ''),
            fields,
            ...(rv === undefined ? {} : { resourceVersion: rv }),
            ...(timeout !== null && /^\d+$/.test(timeout) ? { timeoutSeconds: Number(timeout) } : {}),
            allowBookmarks: flag(query.get('allowWatchBookmarks')),
            ...(sendInitial === null ? {} : { sendInitialEvents: flag(sendInitial) }),
            ...(table ? { table: { version: table, includeObject } } : {}),
            flap,
          },
          { store, faults: this.o.faults, bookmarkIntervalMs: this.o.bookmarkIntervalMs, now: this.o.now, onHeaders: answered },
        );
        return;
      }
      case 'get': {
        const obj = store.peek(def.resource, ns, route.name!);
        if (!obj) throw errors.notFound(def, route.name!);
        if (table) {
          const meta = isMap(obj['metadata']) ? obj['metadata'] : {};
          this.sendJson(res, 200, toTable(def, [obj], { resourceVersion: String(meta['resourceVersion']) }, { version: table, includeObject, nowMs: this.o.now() }));
        } else {
          this.sendJson(res, 200, store.json(obj));
        }
        return;
      }
      case 'create': {
        this.checkBodyType(req);
        const body = await this.readBody(req);
        const warning = this.fieldValidation(query, body);
        const created = store.create(def.resource, body, { ...(ns === undefined ? {} : { namespace: ns }), dryRun });
        this.sendJson(res, 201, created, warning);
        return;
      }
      case 'update': {
        this.checkBodyType(req);
        const body = await this.readBody(req);
        const warning = this.fieldValidation(query, body);
        const updated = store.update(def.resource, body, { ...(ns === undefined ? {} : { namespace: ns }), name: route.name!, dryRun });
        this.sendJson(res, 200, updated, warning);
        return;
      }
      case 'patch': {
        const type = req.headers['content-type'] ?? '';
        const body = await this.readBody(req);
        const warning = type.startsWith('application/json-patch+json') ? {} : this.fieldValidation(query, body);
        const patched = store.patch(def.resource, ns, route.name!, type, body, { dryRun });
        this.sendJson(res, 200, patched, warning);
        return;
      }
      case 'delete': {
        const body = await this.readBody(req);
        const options = isMap(body) ? body : {};
        const pre = isMap(options['preconditions']) ? options['preconditions'] : {};
        const preconditions: { uid?: string; resourceVersion?: string } = {};
        if (typeof pre['uid'] === 'string') preconditions.uid = pre['uid'];
        if (typeof pre['resourceVersion'] === 'string') preconditions.resourceVersion = pre['resourceVersion'];
        const bodyDryRun = Array.isArray(options['dryRun']) && (options['dryRun'] as unknown[]).includes('All');
        const grace = typeof options['gracePeriodSeconds'] === 'number' ? options['gracePeriodSeconds'] : query.get('gracePeriodSeconds');
        const gone = store.delete(def.resource, ns, route.name!, {
          dryRun: dryRun || bodyDryRun,
          preconditions,
          ...(grace !== null && grace !== '' && Number.isFinite(Number(grace)) ? { gracePeriodSeconds: Number(grace) } : {}),
        });
        if (def.resource === 'pods' || def.resource === 'namespaces') {
          this.sendJson(res, 200, gone);
        } else {
          const meta = isMap(gone['metadata']) ? gone['metadata'] : {};
          this.sendJson(res, 200, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name: route.name, group: def.group, kind: def.resource, uid: meta['uid'] },
          });
        }
        return;
      }
    }
  }

  private list(res: ServerResponse, route: Route, query: URLSearchParams, table: { version: 'v1' | 'v1beta1'; includeObject: 'None' | 'Metadata' | 'Object' } | undefined): void {
    const { store } = this.o;
    const def = route.def;
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '', def.resource);
    const limitText = query.get('limit');
    const limit = limitText !== null && /^\d+$/.test(limitText) && Number(limitText) > 0 ? Number(limitText) : undefined;
    const cont = query.get('continue');
    let listRV = store.resourceVersion;
    let startAfter: string | undefined;
    if (cont) {
      const token = decodeContinue(cont);
      if (Number(token.rv) < store.floorRV()) {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      listRV = token.rv;
      startAfter = token.start;
    }
    let items = store.peekList(def.resource, route.namespace).filter((o) => {
      const meta = isMap(o['metadata']) ? o['metadata'] : {};
      return matchesLabels(labels, meta['labels'] as Record<string, string> | undefined) && matchesFields(fields, o);
    });
    if (startAfter !== undefined) {
      const after = startAfter;
      items = items.filter((o) => objectKey(def, o) > after);
    }
    const listMeta: JsonMap = { resourceVersion: listRV };
    if (limit !== undefined && items.length > limit) {
      const page = items.slice(0, limit);
      listMeta['continue'] = encodeContinue(listRV, objectKey(def, page[page.length - 1]!));
      listMeta['remainingItemCount'] = items.length - limit;
      items = page;
    }
    if (table) {
      this.sendJson(res, 200, toTable(def, items, listMeta, { ...table, nowMs: this.o.now() }));
      return;
    }
    // Items of a built-in list carry no kind/apiVersion (the list's kind says it), as the real server sends them.
    const strip = def.group !== ADMIN_POLICY_GROUP;
    const parts = items.map((o) => (strip ? store.itemJson(o) : store.json(o)));
    const head = JSON.stringify({ kind: def.listKind, apiVersion: def.apiVersion, metadata: listMeta });
    this.sendJson(res, 200, `${head.slice(0, -1)},"items":[${parts.join(',')}]}`);
  }

  // ----- control endpoint -----

  private async control(req: IncomingMessage, res: ServerResponse, method: string, path: string[]): Promise<void> {
    // Only on the plain-HTTP listener, or with a valid token.
    if (this.o.https && this.o.tokens.length === 0) throw errors.pathNotFound();
    if (!this.authorized(req)) throw errors.unauthorized();
    const { store, faults, requests } = this.o;
    const what = path.join('/');
    const body = method === 'GET' ? undefined : await this.readBody(req);
    const opts = isMap(body) ? body : {};
    if (method === 'GET' && what === 'state') return this.sendJson(res, 200, this.o.control.state());
    if (method === 'GET' && what === 'requests') return this.sendJson(res, 200, { entries: requests.entries(), counters: requests.counters() });
    if (method === 'DELETE' && what === 'requests') {
      requests.clear();
      return this.sendJson(res, 200, { cleared: true });
    }
    if (method === 'GET' && what === 'faults') return this.sendJson(res, 200, { rules: faults.active(), openWatches: faults.openWatches() });
    if (method === 'DELETE' && what === 'faults') {
      faults.clear();
      return this.sendJson(res, 200, { cleared: true });
    }
    if (method === 'POST' && what === 'faults') {
      const action = opts['action'];
      if (typeof action !== 'string') throw errors.badRequest('a fault needs "action"');
      return this.sendJson(res, 200, faults.perform(action, opts));
    }
    if (method === 'POST' && path[0] === 'faults' && path.length === 2) return this.sendJson(res, 200, faults.perform(path[1]!, opts));
    if (method === 'POST' && what === 'objects') return this.sendJson(res, 200, store.apply(body));
    if (method === 'DELETE' && path[0] === 'objects' && (path.length === 3 || path.length === 4)) {
      const [kind, a, b] = path.slice(1);
      const gone = b === undefined ? store.remove(kind!, undefined, a!) : store.remove(kind!, a, b);
      if (!gone) throw errors.pathNotFound();
      return this.sendJson(res, 200, gone);
    }
    if (method === 'POST' && what === 'churn' && this.o.control.churn) {
      return this.sendJson(res, 200, this.o.control.churn(String(opts['action'] ?? ''), opts));
    }
    throw errors.pathNotFound();
  }
}
