/**
 * The node's HTTP server, or HTTPS with `--tls-cert`/`--tls-key`: one port for the API, the
 * WebSocket upgrades and the web page, with timeouts against slow and idle peers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { Config } from '../config/schema.js';
import { readTlsFiles, TlsFilesError } from '../transport/tls-files.js';

export function createListener(
  config: Config,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const httpOptions = {
    headersTimeout: config.httpHeadersTimeout * 1000,
    requestTimeout: config.httpRequestTimeout * 1000,
    keepAliveTimeout: config.httpKeepAliveTimeout * 1000,
    // How often Node looks for requests past those timeouts (30 s by default): a slow-loris
    // upgrade would otherwise hold its socket that much longer.
    connectionsCheckingInterval: 1000,
  };
  if (config.tlsCert === undefined || config.tlsKey === undefined)
    return createServer(httpOptions, onRequest);
  return createHttpsServer(
    {
      ...httpOptions,
      // A peer that never finishes its TLS handshake holds its socket this long (120 s by
      // default): no longer than one that never finishes its headers.
      handshakeTimeout: config.httpHeadersTimeout * 1000,
      ...readTlsFiles(config.tlsCert, config.tlsKey),
    },
    onRequest,
  );
}

/** Reads the TLS files again for new handshakes; open connections keep theirs. */
export function reloadTls(server: Server | undefined, config: Config): void {
  if (config.tlsCert === undefined || config.tlsKey === undefined)
    throw new TlsFilesError('no --tls-cert and --tls-key to reload');
  if (!(server instanceof HttpsServer)) throw new TlsFilesError('the node is not listening');
  server.setSecureContext(readTlsFiles(config.tlsCert, config.tlsKey));
}
