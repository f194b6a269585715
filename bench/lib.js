// Shared by the bench scripts: a spawned `evt broker`, and the CPU time of processes, so that every figure
// can say whether the client or the broker was the bound.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

// EVT_BENCH_BIN: another build's bin/evt.js, to measure before and after a change in the same way
export const EVT = process.env.EVT_BENCH_BIN ?? fileURLToPath(new URL('../bin/evt.js', import.meta.url));

const CLOCK_TICKS = 100;

/** Runs `evt` to completion: its wall time (process start included) and stdout; a non-zero exit throws. */
export function runEvt(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [EVT, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`evt ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { secs, stdout: r.stdout };
} // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Spawns `evt broker` on a free port (with a schema registry when `registry`) and waits for its bootstrap line. */
export async function startBroker({ dataDir, partitions, fsync = 'never', registry = false }) {
  const proc = spawn(
    process.execPath,
    [
      EVT,
      '--json',
      'broker',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--fsync',
      fsync,
      '--default-partitions',
      String(partitions),
      ...(registry ? ['--registry-port', '0'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`broker exited with ${c}`)));
  });
  const info = JSON.parse(line);
  return { proc, pid: proc.pid, bootstrap: info.bootstrap, registry: info.registry };
}

/**
 * Runs a client to completion (stdin from a file, stdout to /dev/null) and returns its wall time, its CPU
 * time (bash's `times` reports the children's) and the broker's CPU time meanwhile: a client whose CPU time
 * is close to its wall time is the bound, not the broker.
 */
export function timeClient(argv, { stdinFile, brokerPid }) {
  return new Promise((resolve, reject) => {
    const script = `"$@" < "${stdinFile ?? '/dev/null'}" > /dev/null; code=$?; times >&2; exit $code`;
    const brokerCpu = cpuSeconds(brokerPid);
    const start = process.hrtime.bigint();
    const p = spawn('bash', ['-c', script, 'bench', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${err}`));
      const times = err
        .trim()
        .split('\n')
        .pop()
        .split(/\s+/)
        .map((t) => {
          const m = /(\d+)m([\d.]+)s/.exec(t);
          return Number(m[1]) * 60 + Number(m[2]);
        });
      resolve({ secs, clientCpu: times[0] + times[1], brokerCpu: cpuSeconds(brokerPid) - brokerCpu, stderr: err });
    });
  });
}

/** The middle value (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Stops a broker started by startBroker and waits for it to exit. */
export function stopBroker(broker) {
  return new Promise((resolve) => {
    broker.proc.once('exit', resolve);
    broker.proc.kill('SIGTERM');
  });
}
