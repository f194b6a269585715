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
  /** where the settings came from, for messages: "--brokers", "EVT_BROKERS", "profile local", "default" */
  source: string;
}

export const DEFAULT_BROKERS = ['127.0.0.1:9092'];
export const DEFAULT_TIMEOUT_MS = 10_000;
