// NetworkPolicy `ports` entries (semantics.md rules 18-19).
import { MAX_PORT, MIN_PORT } from '../model/port-set.ts';
import type { PolicyPort } from '../model/types.ts';
import { child, describeType, isAbsent, readMap, warnUnknownFields } from './fields.ts';
import type { Issues } from './issues.ts';
import { isProtocol } from './protocol.ts';

/** IANA_SVC_NAME: 1-15 of [-a-z0-9], at least one letter, no leading/trailing '-', no '--'. */
export function isValidPortName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 15 &&
    /^[-a-z0-9]+$/.test(name) &&
    /[a-z]/.test(name) &&
    !name.startsWith('-') &&
    !name.endsWith('-') &&
    !name.includes('--')
  );
}

function isPortNumber(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PORT && n <= MAX_PORT;
}

export function parsePolicyPort(value: unknown, path: string, issues: Issues): PolicyPort | undefined {
  // `- {}` and a bare `-` both mean "every TCP port".
  const entry = isAbsent(value) ? {} : readMap(value, path, issues);
  if (!entry) return undefined;
  warnUnknownFields(entry, ['protocol', 'port', 'endPort'], path, issues);
  let ok = true;

  let protocol: PolicyPort['protocol'] = 'TCP';
  const rawProtocol = entry['protocol'];
  if (!isAbsent(rawProtocol)) {
    if (typeof rawProtocol === 'string' && isProtocol(rawProtocol)) protocol = rawProtocol;
    else {
      issues.error(child(path, 'protocol'), `unsupported protocol ${JSON.stringify(rawProtocol)}: must be TCP, UDP or SCTP`);
      ok = false;
    }
  }

  const portPath = child(path, 'port');
  const port = parsePortValue(entry['port'], portPath, issues);
  if (port === null) ok = false;

  const endPath = child(path, 'endPort');
  const rawEnd = entry['endPort'];
  let endPort: number | undefined;
  if (!isAbsent(rawEnd)) {
    if (typeof rawEnd !== 'number' || !Number.isInteger(rawEnd)) {
      issues.error(endPath, `must be an integer, got ${describeType(rawEnd)}`);
      ok = false;
    } else if (port === undefined) {
      issues.error(endPath, 'may only be set together with a numeric port');
      ok = false;
    } else if (typeof port === 'string') {
      issues.error(endPath, `may not be used with the named port "${port}"`);
      ok = false;
    } else if (rawEnd > MAX_PORT) {
      issues.error(endPath, `${rawEnd} is out of range: must be at most ${MAX_PORT}`);
      ok = false;
    } else if (typeof port === 'number' && rawEnd < port) {
      issues.error(endPath, `${rawEnd} is less than port ${port}`);
      ok = false;
    } else {
      endPort = rawEnd;
    }
  }

  if (!ok) return undefined;
  const result: PolicyPort = { protocol };
  if (port !== undefined && port !== null) result.port = port;
  if (endPort !== undefined) result.endPort = endPort;
  return result;
}

/**
 * `port` is an IntOrString: an integer or a port name. undefined = absent; null = invalid (error
 * recorded). A quoted number ("80") is a string to Kubernetes, and a port name needs a letter, so
 * the API server rejects it: so do we, with a hint.
 */
function parsePortValue(value: unknown, path: string, issues: Issues): number | string | undefined | null {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number') {
    if (isPortNumber(value)) return value;
    issues.error(path, `${value} is not a valid port: must be an integer from ${MIN_PORT} to ${MAX_PORT}`);
    return null;
  }
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) {
      issues.error(path, `"${value}" is a string, and a port name must contain a letter (Kubernetes rejects it): write ${value} without quotes`);
      return null;
    }
    if (isValidPortName(value)) return value;
    issues.error(
      path,
      `"${value}" is not a valid port name: 1-15 lowercase letters, digits and '-', with a letter, no leading, trailing or double '-'`,
    );
    return null;
  }
  issues.error(path, `must be a port number or name, got ${describeType(value)}`);
  return null;
}
