import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

/** a TCP port nobody listens on right now (127.0.0.1) */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** status, headers and the whole body (UTF-8) of a response */
function readAnswer(res: http.IncomingMessage): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
    res.on('error', reject);
  });
}

/** GET with an explicit Host header (fetch does not allow setting it), on its own connection */
export function httpGet(url: string, host?: string, timeoutMs = 5_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // a fresh connection each time: Caddy closes idle ones when its config changes
    const options = { headers: host ? { host } : {}, timeout: timeoutMs, agent: false };
    const req = http.get(url, options, (res) => readAnswer(res).then(resolve, reject));
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** a tiny upstream that answers every request with its own name */
export async function nameServer(name: string): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${name} ${req.headers.host ?? ''} ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { server, address: `127.0.0.1:${port}` };
}

export function closeServer(server: http.Server | net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface HttpsAnswer extends HttpAnswer {
  /** the subject alternative names of the certificate the server showed */
  certificateNames: string;
  issuer: string;
}

/**
 * GET over TLS to 127.0.0.1:<port> as <host> (SNI and Host header), trusting only `ca`: the chain
 * must verify against it and name the host, as a browser that trusts our root checks it.
 */
export function httpsGet(
  host: string,
  port: number,
  urlPath: string,
  ca: string,
  timeoutMs = 10_000,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        servername: host,
        headers: { host: `${host}:${port}` },
        ca,
        // the certificate names the host, not 127.0.0.1: check it against the name we asked for
        checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert),
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const cert = (res.socket as tls.TLSSocket).getPeerCertificate();
        readAnswer(res).then(
          (answer) =>
            resolve({
              ...answer,
              certificateNames: cert.subjectaltname ?? '',
              issuer: String(cert.issuer?.CN ?? ''),
            }),
          reject,
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`GET https://${host}:${port}${urlPath} timed out`)),
    );
    req.on('error', reject);
  });
}
