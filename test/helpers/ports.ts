// Ports nothing listens on, for a test that needs a refused connection or a program that cannot be told to
// take port 0.
import net from 'node:net';

/**
 * Ports free at the time of asking (the kernel's pick). They are held together before being released, so
 * that they differ: the OS may hand a port it just freed to the next listen. A server listening before this
 * is called keeps its port, so a port taken after it cannot be its port.
 */
export async function unusedPorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer());
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, '127.0.0.1', resolve);
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export async function unusedPort(): Promise<number> {
  return (await unusedPorts(1))[0];
}
