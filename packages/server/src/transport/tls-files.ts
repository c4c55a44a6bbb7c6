/**
 * TLS on the node itself (`--tls-cert`, `--tls-key`), for deployments without a proxy in
 * front: the files are read and checked as a pair at start and on every reload (SIGHUP), so a
 * renewed certificate replaces the old one without dropping a connection, and a bad pair
 * is refused before it can replace a good one.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export class TlsFilesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsFilesError';
  }
}

/** Reads a certificate chain and its private key (PEM) and checks that they go together. */
export function readTlsFiles(certPath: string, keyPath: string): TlsFiles {
  const cert = readFile(certPath, '--tls-cert');
  const key = readFile(keyPath, '--tls-key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    // OpenSSL's text names the problem (no PEM, key mismatch) and never holds key material.
    const why = err instanceof Error ? err.message : String(err);
    throw new TlsFilesError(`--tls-cert ${certPath} and --tls-key ${keyPath}: ${why}`, {
      cause: err,
    });
  }
  return { cert, key };
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TlsFilesError(`cannot read ${flag} ${path} (${code})`, { cause: err });
  }
}
