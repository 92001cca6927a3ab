// Checks Kubernetes objects against the API's schemas, as the API server would on `kubectl apply`:
// - types, required fields and enums: the validators kubernetes-models compiles from the
//   Kubernetes OpenAPI document (v1.33);
// - unknown fields (the API server rejects them with strict field validation; the OpenAPI schemas
//   alone allow them, so a misspelt `readOnlyRootFileSystem` would pass): the attribute maps of
//   client-node's generated models, from the same OpenAPI document.
import * as k8s from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** A kubernetes-models class; each wants its own object type, which the parsed YAML is checked to be. */
type Model = new (data: never) => { validate(): void };

/** The kinds the manifests use; another kind is an error until it is added here. */
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** `Kind namespace/name` for messages. */
export function label(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** Every schema error of the object, each naming the object and the field; empty when valid. */
export function schemaErrors(o: KubeObject): string[] {
  const key = `${o.apiVersion}/${o.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`${label(o)}: no schema known for ${key} (add it to MODELS in test/deploy/kube-schema.ts)`];
  const errors: string[] = [];
  try {
    new Model(o as never).validate();
  } catch (err) {
    errors.push(`${label(o)}: ${(err as Error).message}`);
  }
  // client-node names the types of every group version `V1Deployment`, `V1ClusterRole`, ...
  const version = o.apiVersion.split('/').pop()!;
  const type = `${version[0]!.toUpperCase()}${version.slice(1)}${o.kind}`;
  for (const field of unknownFields(o, type, '')) errors.push(`${label(o)}: unknown field ${field}`);
  return errors;
}

interface Attribute {
  baseName: string;
  type: string;
}

function attributesOf(type: string): Attribute[] | undefined {
  const model = (k8s as unknown as Record<string, unknown>)[type];
  if (typeof model !== 'function' || !('getAttributeTypeMap' in model)) return undefined;
  return (model as { getAttributeTypeMap(): Attribute[] }).getAttributeTypeMap();
}

/** Field paths of `value` that the model `type` does not define (recursively). */
export function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  const attributes = attributesOf(type);
  // Scalars (string, IntOrString, quantities) and free-form objects: the schema check covers them.
  if (!attributes || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const attribute = attributes.find((a) => a.baseName === k);
    const at = path === '' ? k : `${path}.${k}`;
    return attribute ? unknownFields(v, attribute.type, at) : [at];
  });
}
