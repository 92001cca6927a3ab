// metav1.Status bodies for errors (and successful deletes), as the API server writes them.
import type { ResourceDef } from './resources.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error the API answers with a Status body; thrown by the store and the handlers. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): StatusBody {
    return failure(this.code, this.reason, this.message, this.details);
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return body;
}

function qualified(def: ResourceDef): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

export const errors = {
  notFound: (def: ResourceDef, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, group: def.group, kind: def.resource }),
  namespaceNotFound: (name: string) =>
    new ApiError(404, 'NotFound', `namespaces "${name}" not found`, { name, group: '', kind: 'namespaces' }),
  alreadyExists: (def: ResourceDef, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(def)} "${name}" already exists`, { name, group: def.group, kind: def.resource }),
  conflict: (def: ResourceDef, name: string) =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: def.group, kind: def.resource },
    ),
  invalid: (def: ResourceDef, name: string, causes: StatusCause[]) =>
    new ApiError(
      422,
      'Invalid',
      `${def.kind}${def.group ? `.${def.group}` : ''} "${name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`,
      { name, group: def.group, kind: def.kind, causes },
    ),
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unprocessable: (message: string) => new ApiError(422, 'Invalid', message),
  forbidden: (def: ResourceDef | undefined, verb: string, namespace: string | undefined) =>
    new ApiError(
      403,
      'Forbidden',
      def
        ? `${qualified(def)} is forbidden: User "system:serviceaccount:traffic-map:traffic-map" cannot ${verb} resource "${def.resource}" in API group "${def.group}" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`
        : 'forbidden',
      def ? { group: def.group, kind: def.resource } : undefined,
    ),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  expired: (message = 'too old resource version') => new ApiError(410, 'Expired', message),
  internal: (message = 'Internal error occurred: injected fault') => new ApiError(500, 'InternalError', message),
  methodNotAllowed: (method: string) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method (${method}) on the requested resource`),
  unsupportedMediaType: (type: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`),
  notAcceptable: () => new ApiError(406, 'NotAcceptable', 'only application/json is served'),
  pathNotFound: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
};

export function codeReason(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return code >= 500 ? 'InternalError' : 'BadRequest';
  }
}
