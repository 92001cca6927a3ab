// A self-signed certificate for the HTTPS listener, generated at start (EC P-256, valid for
// localhost, 127.0.0.1 and ::1 plus the bind host). Clients use insecure-skip-tls-verify.
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  fingerprint: string;
}

const cache = new Map<string, Promise<TlsMaterial>>();

/** Generates (once per host per process: generation takes a few ms, but tests start many servers). */
export function selfSignedCertificate(host = '127.0.0.1'): Promise<TlsMaterial> {
  let pending = cache.get(host);
  if (!pending) {
    pending = create(host);
    cache.set(host, pending);
    pending.catch(() => cache.delete(host));
  }
  return pending;
}

async function create(host: string): Promise<TlsMaterial> {
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost' && host !== '0.0.0.0' && host !== '::') {
    altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'traffic-map-simulated-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: pems.fingerprint };
}
