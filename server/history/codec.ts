// How events and checkpoints are stored: small and exact.
//
// An event's JSON is raw-deflated with a dictionary made of what both the writer and a replay
// hold at that point: the object's previous version (an update repeats most of it) and the last
// object upserted of the same resource (a new pod of a rollout looks like its sibling). Deletes
// keep only the object's identity: the engine reads nothing else of a deleted object.
// Pods the loader reads without a diagnostic keep only the fields it reads (kept-fields.ts).
// A checkpoint is one deflated text: a JSON header line, then one line per object.
import { deflateRawSync, inflateRawSync, deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import type { ResourceKind, ResourceStatus, SourceEvent } from '../cluster/source.ts';
import type { Checkpoint, CheckpointObject, ObjectSet } from './object-set.ts';
import { hasDiagnostics, objectKey } from './object-set.ts';
import { keptPod } from './kept-fields.ts';
import { runInSlices, runToEnd } from '../run-in-slices.ts';
import type { JsonObject } from '../cluster/normalize.ts';

export const EVENT_TYPES = ['upsert', 'delete', 'status'] as const;
export type EventTypeName = (typeof EVENT_TYPES)[number];

const deflateRawAsync = promisify(deflateRaw);

/** Event flag: the loader reports something about the object (diagnostics), so a replay need not ask. */
export const FLAG_DIAGNOSTICS = 1;
const MAX_DICTIONARY = 32 * 1024;

/** The dictionary for an event: what a replay also has at this point (see the file comment). */
function dictionary(set: ObjectSet, event: { type: EventTypeName; resource: ResourceKind }, key: string | undefined): Buffer | undefined {
  const parts = event.type === 'status' ? [set.lastStatusOf(event.resource)] : [set.lastUpsertOf(event.resource), key === undefined ? undefined : set.current(event.resource, key)];
  const text = parts.filter((p) => p !== undefined).join('');
  if (text === '') return undefined;
  const buf = Buffer.from(text);
  return buf.length > MAX_DICTIONARY ? buf.subarray(buf.length - MAX_DICTIONARY) : buf;
}

const compress = (json: string, dict: Buffer | undefined) => deflateRawSync(json, dict ? { dictionary: dict } : {});
const expand = (data: Uint8Array, dict: Buffer | undefined) => inflateRawSync(data, dict ? { dictionary: dict } : {}).toString();

/** The identity of a deleted object: name, namespace and uid, as far as it has them. */
function identity(object: unknown): unknown {
  const meta = (object as { metadata?: Record<string, unknown> } | null)?.metadata ?? {};
  const kept: Record<string, unknown> = {};
  for (const field of ['name', 'namespace', 'uid']) if (meta[field] !== undefined) kept[field] = meta[field];
  return { metadata: kept };
}

export interface EncodedEvent {
  resource: ResourceKind;
  type: EventTypeName;
  /** ClusterState's key of the object (`namespace/name` or `name`); for a status, its namespace or null. */
  key: string | null;
  data: Buffer;
  /** FLAG_DIAGNOSTICS or 0. */
  flags: number;
  /** For upserts and deletes: the object's JSON before and after (undefined: absent). */
  before?: string | undefined;
  after?: string | undefined;
}

/** Encodes an event and applies it to `set` (the writer's state), in that order. */
export function encodeEvent(set: ObjectSet, event: SourceEvent): EncodedEvent {
  if (event.type === 'status') {
    const json = JSON.stringify(event.status);
    const data = compress(json, dictionary(set, event, undefined));
    set.setStatus(event.resource, event.status, json);
    return { resource: event.resource, type: 'status', key: event.status.namespace ?? null, data, flags: 0 };
  }
  const key = objectKey(event.resource, event.object);
  if (event.type === 'delete') {
    const stored = identity(event.object);
    const data = compress(JSON.stringify(stored), dictionary(set, event, key));
    return { resource: event.resource, type: event.type, key, data, flags: 0, before: set.delete(event.resource, stored) };
  }
  const noted = hasDiagnostics(event.resource, event.object);
  const stored = event.resource === 'pods' && !noted ? keptPod(event.object as JsonObject) : event.object;
  const json = JSON.stringify(stored);
  const data = compress(json, dictionary(set, event, key));
  const { before, diagnostics } = set.upsert(event.resource, stored, json, noted);
  return { resource: event.resource, type: event.type, key, data, flags: diagnostics ? FLAG_DIAGNOSTICS : 0, before, after: json };
}

export interface EventRow {
  resource: string;
  type: number;
  key: string | null;
  flags: number;
  data: Uint8Array;
}

/** Decodes a stored event and applies it to `set` (a replay's state), in that order. */
export function decodeEvent(set: ObjectSet, row: EventRow): SourceEvent {
  const resource = row.resource as ResourceKind;
  const type = EVENT_TYPES[row.type];
  if (type === undefined) throw new Error(`history: event of unknown type ${row.type}`);
  if (type === 'status') {
    const json = expand(row.data, dictionary(set, { type, resource }, undefined));
    const status = JSON.parse(json) as ResourceStatus;
    set.setStatus(resource, status, json);
    return { type, resource, status };
  }
  const json = expand(row.data, dictionary(set, { type, resource }, row.key ?? ''));
  const object = JSON.parse(json) as unknown;
  if (type === 'upsert') set.upsert(resource, object, json, (row.flags & FLAG_DIAGNOSTICS) !== 0);
  else set.delete(resource, object);
  return { type, resource, object };
}

// ----- checkpoints -----

const CHECKPOINT_VERSION = 1;

/**
 * The checkpoint as text: a header line, then `[resource,key,uid,diagnostics]<TAB>json` per
 * object; made a thousand objects per step (see run-in-slices.ts).
 */
function* checkpointText(c: Checkpoint): Generator<void, string> {
  const header = JSON.stringify({ v: CHECKPOINT_VERSION, statuses: c.statuses, lastUpserted: c.lastUpserted });
  const lines = [header];
  for (const [i, o] of c.objects.entries()) {
    lines.push(`${JSON.stringify([o.resource, o.key, o.uid, o.diagnostics ? 1 : 0])}\t${o.json}`);
    if (i % 1000 === 999) yield;
  }
  return lines.join('\n');
}

/** Encodes in slices of the event loop, compresses off it (a checkpoint of the M cluster is 10,000 objects). */
export async function encodeCheckpoint(c: Checkpoint): Promise<Buffer> {
  return deflateRawAsync(await runInSlices(checkpointText(c)));
}

export function encodeCheckpointSync(c: Checkpoint): Buffer {
  return deflateRawSync(runToEnd(checkpointText(c)));
}

export function decodeCheckpoint(data: Uint8Array): Checkpoint {
  const text = inflateRawSync(data).toString();
  const lines = text.split('\n');
  const header = JSON.parse(lines[0]!) as { v: number; statuses: [ResourceKind, string][]; lastUpserted: [ResourceKind, string][] };
  if (header.v !== CHECKPOINT_VERSION) throw new Error(`history: checkpoint version ${header.v} is not readable here (expected ${CHECKPOINT_VERSION})`);
  const objects: CheckpointObject[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // JSON.stringify never writes a raw tab: the first one ends the header array.
    const tab = line.indexOf('\t');
    const [resource, key, uid, diagnostics] = JSON.parse(line.slice(0, tab)) as [ResourceKind, string, string | null, 0 | 1];
    objects.push({ resource, key, uid, diagnostics: diagnostics === 1, json: line.slice(tab + 1) });
  }
  return { statuses: header.statuses, objects, lastUpserted: header.lastUpserted };
}
