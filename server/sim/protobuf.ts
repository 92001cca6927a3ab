// Just enough of Kubernetes' protobuf encoding to accept what kubectl's typed clients send:
// `kubectl create namespace` POSTs a v1.Namespace as `application/vnd.kubernetes.protobuf`
// ("k8s\0" + runtime.Unknown{typeMeta, raw}). Only Namespace bodies are decoded (name,
// generateName, labels, annotations); answers are always JSON.
import { errors } from './status.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  no: number;
  wire: number;
  /** Varint value, or the bytes of a length-delimited field. */
  value: number | Buffer;
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw errors.badRequest('truncated protobuf body');
      const b = buf[i++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw errors.badRequest('invalid protobuf varint');
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw errors.badRequest('truncated protobuf body');
      out.push({ no, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw errors.badRequest(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const text = (f: Field | undefined): string | undefined => (f && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined);
const bytes = (f: Field | undefined): Buffer => (f && Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));

function stringMap(entries: Field[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    out[text(kv.find((f) => f.no === 1)) ?? ''] = text(kv.find((f) => f.no === 2)) ?? '';
  }
  return out;
}

/** Decodes a protobuf request body into the JSON object it stands for (Namespaces only). */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('protobuf body without the k8s envelope');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytes(unknown.find((f) => f.no === 1)));
  const apiVersion = text(typeMeta.find((f) => f.no === 1)) ?? 'v1';
  const kind = text(typeMeta.find((f) => f.no === 2)) ?? '';
  if (kind !== 'Namespace') throw errors.unsupportedMediaType(`${PROTOBUF} (only Namespace bodies are decoded; send application/json)`);
  const object = fields(bytes(unknown.find((f) => f.no === 2)));
  const meta = fields(bytes(object.find((f) => f.no === 1)));
  const metadata: Record<string, unknown> = {};
  const name = text(meta.find((f) => f.no === 1));
  const generateName = text(meta.find((f) => f.no === 2));
  if (name) metadata['name'] = name;
  if (generateName) metadata['generateName'] = generateName;
  const labels = stringMap(meta.filter((f) => f.no === 11));
  const annotations = stringMap(meta.filter((f) => f.no === 12));
  if (Object.keys(labels).length > 0) metadata['labels'] = labels;
  if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
  return { apiVersion, kind, metadata };
}
