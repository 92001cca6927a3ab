// AdminNetworkPolicy `ports` entries: exactly one of portNumber, namedPort and portRange.
import { MAX_PORT, MIN_PORT } from '../model/port-set.ts';
import type { AdminPort, Protocol } from '../model/types.ts';
import { child, describeType, isAbsent, readMap, readString, warnUnknownFields } from './fields.ts';
import type { Issues } from './issues.ts';
import { isValidPortName } from './policy-port.ts';
import { isProtocol } from './protocol.ts';

const FORMS = ['portNumber', 'namedPort', 'portRange'] as const;

export function parseAdminPort(value: unknown, path: string, issues: Issues): AdminPort | undefined {
  const entry = readMap(value, path, issues);
  if (!entry) {
    if (isAbsent(value)) issues.error(path, `must set one of ${FORMS.join(', ')}`);
    return undefined;
  }
  warnUnknownFields(entry, FORMS, path, issues);
  const present = FORMS.filter((f) => !isAbsent(entry[f]));
  if (present.length !== 1) {
    issues.error(path, present.length === 0 ? `must set one of ${FORMS.join(', ')}` : `sets ${present.join(' and ')}: exactly one is allowed`);
    return undefined;
  }
  const form = present[0]!;
  const formPath = child(path, form);
  if (form === 'namedPort') {
    const name = readString(entry[form], formPath, issues);
    if (name === undefined) return undefined;
    if (!isValidPortName(name)) {
      issues.error(formPath, `"${name}" is not a valid port name: 1-15 lowercase letters, digits and '-', with a letter, no leading, trailing or double '-'`);
      return undefined;
    }
    return { kind: 'named', name };
  }
  const map = readMap(entry[form], formPath, issues);
  if (!map) return undefined;
  const protocol = readProtocol(map['protocol'], child(formPath, 'protocol'), issues);
  if (form === 'portNumber') {
    warnUnknownFields(map, ['protocol', 'port'], formPath, issues);
    const port = readPort(map['port'], child(formPath, 'port'), issues);
    return protocol && port !== undefined ? { kind: 'range', protocol, port, endPort: port } : undefined;
  }
  warnUnknownFields(map, ['protocol', 'start', 'end'], formPath, issues);
  const start = readPort(map['start'], child(formPath, 'start'), issues);
  const end = readPort(map['end'], child(formPath, 'end'), issues);
  if (!protocol || start === undefined || end === undefined) return undefined;
  if (start >= end) {
    issues.error(child(formPath, 'end'), `${end} must be greater than start ${start}`);
    return undefined;
  }
  return { kind: 'range', protocol, port: start, endPort: end };
}

/** Defaults to TCP; undefined when invalid (error recorded). */
function readProtocol(value: unknown, path: string, issues: Issues): Protocol | undefined {
  if (isAbsent(value)) return 'TCP';
  if (typeof value === 'string' && isProtocol(value)) return value;
  issues.error(path, `unsupported protocol ${JSON.stringify(value)}: must be TCP, UDP or SCTP`);
  return undefined;
}

function readPort(value: unknown, path: string, issues: Issues): number | undefined {
  if (isAbsent(value)) {
    issues.error(path, 'required field is missing');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.error(path, `must be an integer, got ${describeType(value)}`);
    return undefined;
  }
  if (value < MIN_PORT || value > MAX_PORT) {
    issues.error(path, `${value} is not a valid port: must be an integer from ${MIN_PORT} to ${MAX_PORT}`);
    return undefined;
  }
  return value;
}
