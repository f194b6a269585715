// A standalone zookeeper for a test (Burrow keeps its own state in one): Debian's zookeeper 3.8 started as
// its zkServer.sh would, without systemd: the server class on the jar (whose manifest names the libraries it
// needs), a generated zoo.cfg with a free port on the loopback and a temp data dir, no admin HTTP server.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startBackground, type Background } from './background.js';
import { tempDir, until } from './broker.js';
import { unusedPort } from './ports.js';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

export interface Zookeeper {
  /** `127.0.0.1:port` */
  connect: string;
  process: Background;
  close(): Promise<void>;
}

/**
 * What the server's `srvr` command answers ('' when the connection fails or no answer comes within a second).
 * The client port accepts connections before the server has loaded its data, and closes them meanwhile (a
 * client then sees EOF in its handshake, as Burrow did on a loaded machine); until it serves, `srvr` answers
 * "not currently serving requests", and once it does, its mode. Each try is bounded: one connection that
 * got no answer once held the start-up until the test's hook timed out.
 */
function srvr(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end('srvr'));
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('close', () => resolve(answer));
    socket.once('error', () => resolve(''));
  });
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
      '4lw.commands.whitelist=srvr',
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
    let last = '';
    try {
      await until(
        async () => {
          zk.assertRunning();
          last = await srvr(port);
          return last.includes('Mode: standalone');
        },
        30_000,
        'zookeeper to serve requests',
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; its last srvr answer: ${JSON.stringify(last)}; its output:\n${zk.output()}`,
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { connect: `127.0.0.1:${port}`, process: zk, close };
}
