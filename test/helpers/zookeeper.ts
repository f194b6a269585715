// A standalone zookeeper for a test (Burrow keeps its own state in one): Debian's zookeeper 3.8 started as
// its zkServer.sh would, without systemd: the server class on the jar (whose manifest names the libraries it
// needs), a generated zoo.cfg with a free port on the loopback and a temp data dir, no admin HTTP server.
import fs from 'node:fs';
import path from 'node:path';
import { accepts, startBackground, type Background } from './background.js';
import { tempDir, until } from './broker.js';
import { unusedPort } from './ports.js';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

export interface Zookeeper {
  /** `127.0.0.1:port` */
  connect: string;
  process: Background;
  close(): Promise<void>;
}

export async function startZookeeper(): Promise<Zookeeper> {
  const dir = tempDir('evt-zookeeper-');
  const port = await unusedPort();
  const config = path.join(dir, 'zoo.cfg');
  fs.writeFileSync(
    config,
    [
      'tickTime=2000',
      `dataDir=${path.join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '',
    ].join('\n'),
  );
  // a small heap and the client compiler only: the server does little here and starts faster this way
  const args = ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', ZOOKEEPER_JAR];
  const zk = startBackground('zookeeper', 'java', [...args, 'org.apache.zookeeper.server.ZooKeeperServerMain', config]);
  const close = async () => {
    await zk.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () => {
        zk.assertRunning();
        return accepts(port);
      },
      30_000,
      'zookeeper to accept connections',
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { connect: `127.0.0.1:${port}`, process: zk, close };
}
