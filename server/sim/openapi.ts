// OpenAPI documents good enough for kubectl create/apply WITHOUT --validate=false:
// - /openapi/v3 (index) and /openapi/v3/<gv> (one document per group/version): the PATCH
//   operation of each kind names its group/version/kind and the `fieldValidation` query parameter,
//   so kubectl (>= 1.27) leaves validation to the server and sends `fieldValidation=Strict`
//   (which the simulated server honours for unknown fields).
// - /openapi/v2: a valid, empty Swagger document, as JSON or as the protobuf kubectl asks for; with
//   no definitions kubectl skips client-side schema validation and builds strategic merge patches
//   from its built-in types.
import { createHash } from 'node:crypto';
import { SIM_KUBERNETES_VERSION } from './discovery.ts';
import { groupVersions } from './resources.ts';
import type { ResourceDef } from './resources.ts';

type Json = Record<string, unknown>;

const OBJECT_SCHEMA = { type: 'object' };

function param(name: string, where: 'query' | 'path', description: string, type = 'string'): Json {
  const p: Json = { name, in: where, description, schema: { type, uniqueItems: true } };
  if (where === 'path') p['required'] = true;
  return p;
}

const QUERY = {
  dryRun: param('dryRun', 'query', 'When present, indicates that modifications should not be persisted.'),
  fieldManager: param('fieldManager', 'query', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: param(
    'fieldValidation',
    'query',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
  force: param('force', 'query', 'Force is going to "force" Apply requests.', 'boolean'),
  labelSelector: param('labelSelector', 'query', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: param('fieldSelector', 'query', 'A selector to restrict the list of returned objects by their fields.'),
  resourceVersion: param('resourceVersion', 'query', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  watch: param('watch', 'query', 'Watch for changes to the described resources.', 'boolean'),
  limit: param('limit', 'query', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: param('continue', 'query', 'The continue option should be set when retrieving more results from the server.'),
  timeoutSeconds: param('timeoutSeconds', 'query', 'Timeout for the list/watch call.', 'integer'),
  allowWatchBookmarks: param('allowWatchBookmarks', 'query', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  sendInitialEvents: param('sendInitialEvents', 'query', '`sendInitialEvents=true` may be set together with `watch=true`.', 'boolean'),
};

function json(schema: Json = OBJECT_SCHEMA): Json {
  return { 'application/json': { schema } };
}

function operation(def: ResourceDef, action: string, opName: string, extra: Json = {}): Json {
  const tag = def.group === '' ? `core_${def.version}` : `${def.group.split('.')[0]}_${def.version}`;
  return {
    tags: [tag],
    description: `${action} ${def.kind}`,
    operationId: opName,
    responses: { '200': { description: 'OK', content: json() }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: def.group, version: def.version, kind: def.kind },
    ...extra,
  };
}

function pascal(s: string): string {
  return s.replace(/(^|[.-])([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
}

function paths(def: ResourceDef): Json {
  const root = def.group === '' ? `/api/${def.version}` : `/apis/${def.group}/${def.version}`;
  const gvName = `${def.group === '' ? 'Core' : pascal(def.group.replace(/\.k8s\.io$/, '').replace(/\./g, '-'))}${pascal(def.version)}`;
  const scope = def.namespaced ? 'Namespaced' : '';
  const collection = def.namespaced ? `${root}/namespaces/{namespace}/${def.resource}` : `${root}/${def.resource}`;
  const item = `${collection}/{name}`;
  const pathParams = def.namespaced
    ? [param('namespace', 'path', 'object name and auth scope, such as for teams and projects'), param('name', 'path', `name of the ${def.kind}`)]
    : [param('name', 'path', `name of the ${def.kind}`)];
  const body = { content: json(), required: true };
  // Server-side apply (application/apply-patch+yaml) is not served.
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json'];
  // Built-in kinds accept strategic merge patches; AdminNetworkPolicies are CRDs in real clusters.
  if (def.group !== 'policy.networking.k8s.io') patchTypes.push('application/strategic-merge-patch+json');
  const out: Json = {
    [collection]: {
      get: operation(def, 'list', `list${gvName}${scope}${def.kind}`, {
        parameters: [QUERY.labelSelector, QUERY.fieldSelector, QUERY.resourceVersion, QUERY.limit, QUERY.continue, QUERY.watch, QUERY.timeoutSeconds, QUERY.allowWatchBookmarks, QUERY.sendInitialEvents],
      }),
      post: operation(def, 'post', `create${gvName}${scope}${def.kind}`, {
        requestBody: body,
        parameters: [QUERY.dryRun, QUERY.fieldManager, QUERY.fieldValidation],
      }),
      parameters: def.namespaced ? [pathParams[0]] : [],
    },
    [item]: {
      get: operation(def, 'get', `read${gvName}${scope}${def.kind}`),
      put: operation(def, 'put', `replace${gvName}${scope}${def.kind}`, { requestBody: body, parameters: [QUERY.dryRun, QUERY.fieldManager, QUERY.fieldValidation] }),
      patch: operation(def, 'patch', `patch${gvName}${scope}${def.kind}`, {
        requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: OBJECT_SCHEMA }])), required: true },
        parameters: [QUERY.dryRun, QUERY.fieldManager, QUERY.fieldValidation, QUERY.force],
      }),
      delete: operation(def, 'delete', `delete${gvName}${scope}${def.kind}`, { parameters: [QUERY.dryRun] }),
      parameters: pathParams,
    },
  };
  return out;
}

/** `api/v1`, `apis/networking.k8s.io/v1`, ... */
function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export class OpenApi {
  private readonly docs = new Map<string, { body: string; hash: string }>();
  private readonly index: string;

  constructor(servesAdminPolicies: boolean) {
    const index: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of groupVersions(servesAdminPolicies)) {
      const doc = {
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: SIM_KUBERNETES_VERSION.gitVersion },
        paths: Object.assign({}, ...gv.resources.map(paths)) as Json,
        components: { schemas: {} },
      };
      const body = JSON.stringify(doc);
      const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
      const key = gvPath(gv.group, gv.version);
      this.docs.set(key, { body, hash });
      index[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    this.index = JSON.stringify({ paths: index });
  }

  /** GET /openapi/v3 */
  v3Index(): string {
    return this.index;
  }

  /** GET /openapi/v3/<gv path>, or undefined. */
  v3Document(path: string): string | undefined {
    return this.docs.get(path)?.body;
  }

  /** GET /openapi/v2 as JSON. */
  v2Json(): string {
    return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: SIM_KUBERNETES_VERSION.gitVersion }, paths: {}, definitions: {} });
  }

  /** GET /openapi/v2 as protobuf (gnostic openapi_v2.Document: swagger = 1, info = 2 {title = 1, version = 2}). */
  v2Protobuf(): Buffer {
    const str = (field: number, text: string): Buffer => {
      const bytes = Buffer.from(text, 'utf8');
      return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
    };
    const info = Buffer.concat([str(1, 'Kubernetes'), str(2, SIM_KUBERNETES_VERSION.gitVersion)]);
    return Buffer.concat([str(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
  }
}

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
