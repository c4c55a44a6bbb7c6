/**
 * Self-signed certificates made with the system's `openssl`, for tests of the node's own TLS.
 * Each has a SAN for 127.0.0.1 and localhost, so clients that trust it verify the host too.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  certPath: string;
  keyPath: string;
  /** PEM text, to pass as a client's `ca`. */
  pem: string;
  /** SHA-256 fingerprint, as `X509Certificate.fingerprint256` and `getPeerCertificate` say. */
  fingerprint: string;
}

export function makeSelfSignedCert(dir: string, name: string): TestCert {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  const pem = readFileSync(certPath, 'utf8');
  return { certPath, keyPath, pem, fingerprint: new X509Certificate(pem).fingerprint256 };
}
