// How every process reaches Temporal: one description of the connection
// (address, TLS, API key) made from the settings, used by the worker's
// NativeConnection, the API's, the CLI's and the scripts' Connection alike.
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

export interface TemporalTarget {
  address: string;
  /** undefined: plain gRPC */
  tls?: TLSConfig;
  /** Temporal Cloud's API key (sent as `Authorization: Bearer …`; implies TLS) */
  apiKey?: string;
}

type TemporalSettings = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

/** The settings' connection; an unreadable certificate file is an error naming its setting. */
export function temporalTarget(c: TemporalSettings): TemporalTarget {
  const file = (setting: keyof TemporalSettings, path: string | undefined): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${setting}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  };
  const ca = file('TEMPORAL_TLS_CA', c.TEMPORAL_TLS_CA);
  const crt = file('TEMPORAL_TLS_CERT', c.TEMPORAL_TLS_CERT);
  const key = file('TEMPORAL_TLS_KEY', c.TEMPORAL_TLS_KEY);
  const useTls = c.TEMPORAL_TLS === 'true' || (c.TEMPORAL_TLS === 'auto' && Boolean(ca || crt || c.TEMPORAL_TLS_SERVER_NAME || c.TEMPORAL_API_KEY));
  const tls: TLSConfig | undefined = useTls
    ? {
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        ...(c.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return { address: c.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}), ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}) };
}

/** For logs and messages: the address and how it is secured, never the key. */
export function describeTarget(t: TemporalTarget): string {
  const how = [t.tls ? (t.tls.clientCertPair ? 'mTLS' : 'TLS') : 'plaintext', ...(t.apiKey ? ['API key'] : [])];
  return `${t.address} (${how.join(', ')})`;
}

/**
 * A failed connection's message with what it most likely means: a TLS
 * handshake refused for want of a client certificate reads as a bare
 * "transport error" or "Connection reset" otherwise.
 */
export function explainConnectError(t: TemporalTarget, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/certificate|handshake|tls|ssl|reset|transport error|socket hang up|EPROTO|alert/i.test(message)) {
    const hint = t.tls
      ? t.tls.clientCertPair
        ? 'the server refused the TLS handshake: check TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY and TEMPORAL_TLS_SERVER_NAME'
        : 'the server refused the TLS handshake: it may require a client certificate (TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY), or another CA (TEMPORAL_TLS_CA)'
      : 'the server may require TLS (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY)';
    return `${message} — ${hint}`;
  }
  return message;
}

/**
 * Why a connection that timed out most likely failed, found with one TLS
 * handshake of our own: gRPC retries a refused handshake until its deadline
 * and then says only that time ran out. Undefined when the probe learns nothing.
 */
export async function diagnoseConnection(t: TemporalTarget, timeoutMs = 1_000): Promise<string | undefined> {
  const [host, portText] = splitAddress(t.address);
  return new Promise((resolve) => {
    let settled = false;
    const done = (why: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const socket = tlsConnect({
      host,
      port: Number(portText),
      servername: t.tls?.serverNameOverride ?? (/^[\d.]+$/.test(host) ? undefined : host),
      ALPNProtocols: ['h2'],
      ...(t.tls
        ? {
            ...(t.tls.serverRootCACertificate ? { ca: Buffer.from(t.tls.serverRootCACertificate) } : {}),
            ...(t.tls.clientCertPair ? { cert: Buffer.from(t.tls.clientCertPair.crt), key: Buffer.from(t.tls.clientCertPair.key) } : {}),
          }
        : { rejectUnauthorized: false }),
    });
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => {
      if (!t.tls) return done('the server speaks TLS: set TEMPORAL_TLS_CA (and TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY if it wants a client certificate)');
      // TLS 1.3: a server that wants a client certificate says so just after the handshake
      setTimeout(() => done(undefined), 300);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!t.tls) return done(undefined); // not TLS (or not there): gRPC's own message says enough
      const code = err.code ?? '';
      if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA/.test(code) && !t.tls.clientCertPair) {
        return done(`the server wants a client certificate (${code}): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`);
      }
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME/.test(code) || /certificate|altname/i.test(err.message)) {
        return done(`the TLS handshake failed (${code || err.message}): check TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY`);
      }
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') return done(undefined);
      done(`the TLS handshake failed (${code || err.message}): check TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY`);
    });
  });
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return i > 0 ? [address.slice(0, i).replace(/^\[|\]$/g, ''), address.slice(i + 1)] : [address, '7233'];
}
