// Runtime schemas for everything a client may send: the server parses each payload with these
// before reading it, and answers a bad one with a `bad-request` Ack naming the field.
import { z } from 'zod';
import { LabelQueryError, parseLabelQuery } from '../policy/label-query.ts';

const name = z.string().min(1).max(253);
const protocol = z.enum(['TCP', 'UDP', 'SCTP']);
const port = z.object({ protocol, port: z.number().int().min(1).max(65535) }).strict();
const level = z.enum(['namespace', 'workload', 'pod']);
/** A node id: `ns`, `ns/name`, `ns/Kind/name`, or `ip:...`. */
const nodeId = z.string().min(1).max(600);

const labels = z
  .string()
  .max(1000)
  .superRefine((text, ctx) => {
    try {
      parseLabelQuery(text);
    } catch (e) {
      if (!(e instanceof LabelQueryError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  });

/** A past instant: ISO time with a zone (`2026-11-26T02:14:00Z`). */
const instant = z.iso.datetime({ offset: true });

export const viewSpecSchema = z
  .object({
    level,
    namespaces: z.union([z.literal('all'), z.array(name).max(10_000)]),
    labels: labels.optional(),
    port: port.optional(),
    at: instant.optional(),
    unprotectedOnly: z.boolean().optional(),
  })
  .strict();

export const clientSchemas = {
  'view:subscribe': z.object({ view: viewSpecSchema }).strict(),
  'view:unsubscribe': z.object({ viewId: z.string().min(1).max(2000) }).strict(),
  'view:resync': z.object({ viewId: z.string().min(1).max(2000), seq: z.number().int().min(0) }).strict(),
  'explain:connection': z.object({ level, from: nodeId, to: nodeId, port: port.optional(), at: instant.optional() }).strict(),
  'policy:selection': z.union([z.object({ policy: nodeId, at: instant.optional() }).strict(), z.object({ pod: nodeId, at: instant.optional() }).strict()]),
  'policy:list': z.object({ at: instant.optional() }).strict(),
  'whatif:objects': z.object({}).strict(),
} as const;

export type ClientEventName = keyof typeof clientSchemas;

/** `path: message` of the first problem, e.g. `view.level: Invalid option: expected one of ...`. */
export function describeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid payload';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
