// Several brokers in front of one: a proxy listens on one port per pretend node and forwards every request to
// the single in-process broker, but rewrites the answers that say where things are (Metadata: the brokers, the
// controller, each partition's leader; FindCoordinator: the group's coordinator). A client then sees a cluster
// of several nodes and has to send each request to the right one. A test sets who leads what, sees which node
// got which request, and can make a node answer a request itself (an error code: "not me any more").

import net from 'node:net';
import { frames } from './proxy.js';
import { encodeResponse, readRequestHeader, decodeRequestBody } from '../../src/protocol/frames.js';
import { API_VERSIONS, FIND_COORDINATOR, METADATA, specFor } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/primitives.js';
import { decodeStruct, isFlexible, type ApiSpec, type Struct } from '../../src/protocol/schema.js';

export interface NodeRequest {
  node: number;
  apiKey: number;
  body: Struct;
}

export interface ClusterProxy {
  /** node 1's address */
  bootstrap: string;
  nodes: number[];
  /** the controller Metadata names */
  controller: number;
  /** the coordinator FindCoordinator names, for every group */
  coordinator: number;
  /** the leader Metadata names for a partition; by default partition p is led by node p mod n + 1 */
  leaderOf: (topic: string, partition: number) => number;
  /** every request each node got (ApiVersions and Metadata included), in order */
  requests: NodeRequest[];
  /** the nodes that got requests of this API, in order */
  nodesFor(apiKey: number): number[];
  /**
   * the next request of this API to `node` is answered by `answer` (given the request) instead of the broker;
   * with `always`, every request of this API to `node` from now on
   */
  intercept(node: number, apiKey: number, answer: (request: Struct) => Struct, always?: boolean): void;
  close(): Promise<void>;
}

function decodeResponse(spec: ApiSpec, version: number, frame: Buffer): Struct {
  const r = new Reader(frame, 8);
  const flexible = isFlexible(spec, version);
  // response header v1 (flexible versions, except ApiVersions): a tagged-field section after the correlation id
  if (flexible && spec.apiKey !== API_VERSIONS.apiKey) r.uvarint();
  return decodeStruct(r, spec.response, version, flexible);
}

export async function startClusterProxy(brokerPort: number, nodeCount = 2): Promise<ClusterProxy> {
  const nodes = Array.from({ length: nodeCount }, (_, i) => i + 1);
  const ports = new Map<number, number>();
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const interceptions: { node: number; apiKey: number; answer: (request: Struct) => Struct; always: boolean }[] = [];

  const proxy: ClusterProxy = {
    bootstrap: '',
    nodes,
    controller: 1,
    coordinator: 1,
    leaderOf: (_topic, partition) => (partition % nodeCount) + 1,
    requests: [],
    nodesFor: (apiKey) => proxy.requests.filter((r) => r.apiKey === apiKey).map((r) => r.node),
    intercept(node, apiKey, answer, always = false) {
      interceptions.push({ node, apiKey, answer, always });
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };

  /** Where things are, as this pretend cluster says it. */
  const rewrite = (apiKey: number, body: Struct): Struct => {
    if (apiKey === METADATA.apiKey) {
      body.brokers = nodes.map((nodeId) => ({ nodeId, host: '127.0.0.1', port: ports.get(nodeId)!, rack: null }));
      body.controllerId = proxy.controller;
      for (const t of body.topics as Struct[]) {
        for (const p of t.partitions as Struct[]) {
          p.leaderId = proxy.leaderOf(t.name, p.partitionIndex);
          p.replicaNodes = nodes;
          p.isrNodes = nodes;
        }
      }
    } else if (apiKey === FIND_COORDINATOR.apiKey && body.errorCode === 0) {
      body.nodeId = proxy.coordinator;
      body.host = '127.0.0.1';
      body.port = ports.get(proxy.coordinator)!;
    }
    return body;
  };

  const serve = (node: number) => (client: net.Socket) => {
    const upstream = net.connect(brokerPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    // answers go back in request order, whether the broker or an interception gives them
    const slots: { correlationId: number; spec: ApiSpec; version: number; frame?: Buffer }[] = [];
    const flush = () => {
      while (slots.length && slots[0].frame) client.write(slots.shift()!.frame!);
    };
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on(
      'data',
      frames((frame) => {
        const { header, reader } = readRequestHeader(frame.subarray(4));
        const spec = specFor(header.apiKey);
        const body = spec ? decodeRequestBody(spec, header.apiVersion, reader) : {};
        proxy.requests.push({ node, apiKey: header.apiKey, body });
        if (!spec) {
          // SASL and other APIs the broker does not describe: pass through untouched, in order
          upstream.write(frame);
          return;
        }
        const slot: (typeof slots)[number] = { correlationId: header.correlationId, spec, version: header.apiVersion };
        slots.push(slot);
        const i = interceptions.findIndex((x) => x.node === node && x.apiKey === header.apiKey);
        if (i >= 0) {
          const { answer, always } = interceptions[i];
          if (!always) interceptions.splice(i, 1);
          slot.frame = Buffer.concat(encodeResponse(spec, header.apiVersion, header.correlationId, answer(body)));
          flush();
          return;
        }
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frames((frame) => {
        const correlationId = frame.readInt32BE(4);
        const slot = slots.find((s) => s.correlationId === correlationId && !s.frame);
        if (!slot) {
          client.write(frame);
          return;
        }
        const { spec, version } = slot;
        slot.frame =
          spec.apiKey === METADATA.apiKey || spec.apiKey === FIND_COORDINATOR.apiKey
            ? Buffer.concat(
                encodeResponse(
                  spec,
                  version,
                  correlationId,
                  rewrite(spec.apiKey, decodeResponse(spec, version, frame)),
                ),
              )
            : frame;
        flush();
      }),
    );
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  };

  for (const node of nodes) {
    const server = net.createServer(serve(node));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.set(node, (server.address() as net.AddressInfo).port);
  }
  proxy.bootstrap = `127.0.0.1:${ports.get(1)}`;
  return proxy;
}
