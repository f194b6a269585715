// How to reach a cluster: the settings evt's client (src/client/wire) is built from, resolved from flags, the
// environment and profiles (profiles.ts).

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface TlsSettings {
  /** PEM file paths */
  ca?: string;
  cert?: string;
  key?: string;
  /** false accepts any server certificate (testing only) */
  rejectUnauthorized?: boolean;
}

export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface ConnectionSettings {
  /** host:port bootstrap list */
  brokers: string[];
  clientId: string;
  /** true = TLS with the system CAs */
  tls?: TlsSettings | true;
  sasl?: SaslSettings;
  /**
   * How long a command may try to reach the cluster (connect + first answer) before it gives up with exit
   * code 3; also bounds single requests.
   */
  timeoutMs: number;
  /**
   * How long bootstrapping keeps trying when every address refuses the connection (or names no host, or has
   * no route) rather than staying silent: long enough for a broker started in the same breath to listen,
   * short of the timeout, as the answer is already known. Default DEFAULT_REFUSED_RETRY_MS, at most timeoutMs.
   */
  refusedRetryMs?: number;
  /** where the settings came from, for messages: "--brokers", "EVT_BROKERS", "profile local", "default" */
  source: string;
}

export const DEFAULT_BROKERS = ['127.0.0.1:9092'];
export const DEFAULT_TIMEOUT_MS = 10_000;
/** librdkafka's reconnect backoff reaches a second within its first retries; kcat gives up after 5 s */
export const DEFAULT_REFUSED_RETRY_MS = 2_000;

/**
 * Why a bootstrap address is not one, or null when it is: host:port with a port from 1 to 65535, an IPv6
 * address in brackets ([::1]:9092). Checked before connecting, so that a typo is a usage error at once
 * rather than a wait for the timeout.
 */
export function brokerAddressProblem(address: string): string | null {
  const m = /^\[([^\]\s]+)\]:(\d+)$/.exec(address) ?? /^([^:\s[\]]+):(\d+)$/.exec(address);
  if (!m) {
    if (/^[^[\]]*:[^[\]]*:/.test(address))
      return `"${address}" is not host:port (an IPv6 address goes in brackets: [::1]:9092)`;
    return /^[^:]+$/.test(address)
      ? `"${address}" has no port (host:port, e.g. ${address}:9092)`
      : `"${address}" is not host:port`;
  }
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `"${address}": port ${m[2]} is not between 1 and 65535`;
  return null;
}
