// Burrow (Debian's 1.2.1), LinkedIn's consumer lag monitor, for a test: a generated config with one cluster,
// a kafka consumer module reading __consumer_offsets from the beginning, a zookeeper for Burrow's own state,
// the HTTP API on a free loopback port, and the broker and offset refreshes at their shortest (1 s).
import fs from 'node:fs';
import path from 'node:path';
import { startBackground, type Background } from './background.js';
import { tempDir } from './broker.js';
import { unusedPort } from './ports.js';

/** The newest Kafka version Burrow 1.2.1 knows; its sarama then asks Metadata v5, ListOffsets v0-1, Fetch v4. */
export const BURROW_KAFKA_VERSION = '2.1.0';

export interface Burrow {
  /** the cluster's name in Burrow's config and URLs */
  cluster: string;
  /** `http://127.0.0.1:port` */
  url: string;
  process: Background;
  /** GET on the HTTP API: the parsed body, or undefined while Burrow does not answer (still starting) */
  get<T>(apiPath: string): Promise<T | undefined>;
  close(): Promise<void>;
}

export async function startBurrow(o: { bootstrap: string; zookeeper: string; cluster?: string }): Promise<Burrow> {
  const cluster = o.cluster ?? 'evt';
  const dir = tempDir('evt-burrow-');
  const httpPort = await unusedPort();
  const servers = JSON.stringify([o.bootstrap]);
  fs.writeFileSync(
    path.join(dir, 'burrow.toml'),
    `[general]
pidfile="${path.join(dir, 'burrow.pid')}"

[logging]
level="info"

[zookeeper]
servers=${JSON.stringify([o.zookeeper])}
timeout=6
root-path="/burrow"

[client-profile.evt]
client-id="burrow-test"
kafka-version="${BURROW_KAFKA_VERSION}"

[cluster.${cluster}]
class-name="kafka"
servers=${servers}
client-profile="evt"
topic-refresh=1
offset-refresh=1

[consumer.${cluster}]
class-name="kafka"
cluster="${cluster}"
servers=${servers}
client-profile="evt"
offsets-topic="__consumer_offsets"
start-latest=false

[httpserver.default]
address="127.0.0.1:${httpPort}"

[storage.default]
class-name="inmemory"
workers=2
intervals=10
min-distance=1
expire-group=604800
`,
  );
  const burrow = startBackground('Burrow', 'Burrow', ['-config-dir', dir], { cwd: dir });
  const url = `http://127.0.0.1:${httpPort}`;
  return {
    cluster,
    url,
    process: burrow,
    async get<T>(apiPath: string) {
      burrow.assertRunning();
      try {
        const res = await fetch(url + apiPath);
        return res.ok ? ((await res.json()) as T) : undefined;
      } catch {
        return undefined;
      }
    },
    async close() {
      // SIGKILL: Burrow 1.2.1 can hang on SIGTERM while its partition consumers shut down, and it has nothing
      // to save (its zookeeper state is the test's, thrown away)
      await burrow.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
