import { PROTOCOLS } from '../model/types.ts';
import type { Protocol } from '../model/types.ts';

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}
