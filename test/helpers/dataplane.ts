import net from 'node:net'
import { randomInt, randomUUID } from 'node:crypto'
import { loopbackRange, type DataplaneConfig } from '../../src/config.ts'
import { DataPlane } from '../../src/dataplane/index.ts'
import { systemClock } from '../../src/domain/clock.ts'
import type { TestServer } from './server.ts'
import { eventually } from './server.ts'
import type { TestVpcepClient } from './vpcep-sdk.ts'
import { VPC } from './fixtures.ts'

/** A /24 of loopback of this test's own, so test files running at once never bind the same address. */
export function privateRange(): DataplaneConfig['addressRange'] {
  return loopbackRange('test range', `127.${randomInt(20, 250)}.${randomInt(0, 256)}.0/24`)
}

const silent = { info() {}, warn() {}, error() {} }

/** The data plane over a test server's database, with its logs kept for assertions. */
export async function startDataplane(server: TestServer, settings: Partial<DataplaneConfig> = {}): Promise<{ plane: DataPlane; logs: string[] }> {
  const logs: string[] = []
  const log = {
    info: silent.info,
    warn: (o: object, m: string) => void logs.push(`${m} ${JSON.stringify(o)}`),
    error: (o: object, m: string) => void logs.push(`${m} ${JSON.stringify(o)}`),
  }
  const config: DataplaneConfig = { ...server.config.dataplane, dnsPort: undefined, pollMs: 20, ...settings }
  const plane = new DataPlane({ store: server.store, config, dnsZone: `vpcep.${server.config.region}.internal`, clock: systemClock, log })
  await plane.start()
  return { plane, logs }
}

/** A backend on 127.0.0.1 that echoes every byte it receives (a PROXY header included) back to the sender. */
export async function echoBackend(): Promise<{ port: number; connections: Set<net.Socket>; close(): Promise<void> }> {
  const connections = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections.add(socket)
    socket.on('close', () => connections.delete(socket))
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => {
      for (const s of connections) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

export interface Client {
  socket: net.Socket
  /** Everything received so far. */
  received(): Buffer
  /** Resolves when at least `n` bytes have arrived. */
  receivedAtLeast(n: number): Promise<Buffer>
  closed: Promise<void>
}

/** Connects from `localAddress` (127.0.0.2, 127.0.0.3 … prove the whitelist); rejects with the connect error. */
export function connect(host: string, port: number, localAddress = '127.0.0.1'): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress })
    const chunks: Buffer[] = []
    const waiters: Array<() => void> = []
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      for (const w of waiters.splice(0)) w()
    })
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.on('error', () => {})
      const received = () => Buffer.concat(chunks)
      resolve({
        socket,
        received,
        closed,
        receivedAtLeast: (n) =>
          new Promise((done, fail) => {
            const check = () => (received().length >= n ? done(received()) : waiters.push(check))
            socket.once('close', () => (received().length >= n ? done(received()) : fail(new Error(`connection closed after ${received().length} of ${n} bytes`))))
            check()
          }),
      })
    })
  })
}

/** Whether a connection to host:port is refused outright or reset before data flows. */
export async function refused(host: string, port: number, localAddress = '127.0.0.1'): Promise<boolean> {
  try {
    const client = await connect(host, port, localAddress)
    client.socket.write('x')
    const echoed = await Promise.race([client.receivedAtLeast(1).then(() => true, () => false), client.closed.then(() => client.received().length > 0)])
    client.socket.destroy()
    return !echoed
  } catch {
    return true
  }
}

/** A provider's service on a backend port, an endpoint of the consumer's to it, accepted: answers both. */
export async function acceptedEndpoint(
  providerSdk: TestVpcepClient,
  consumerSdk: TestVpcepClient,
  consumerDomain: string,
  backendPort: number,
  options: { tcpProxy?: string; endpoint?: Record<string, unknown>; service?: Record<string, unknown>; clientPort?: number; accept?: boolean } = {},
) {
  const created = await providerSdk.createEndpointService({
    port_id: randomUUID(),
    vpc_id: VPC,
    server_type: 'VM',
    tcp_proxy: options.tcpProxy ?? 'close',
    ports: [{ client_port: options.clientPort ?? 8080, server_port: backendPort, protocol: 'TCP' }],
    ...options.service,
  })
  await eventually(async () => ((await providerSdk.listServiceDetails(created.id)).status === 'available' ? true : undefined), 'service available')
  await providerSdk.batchAddEndpointServicePermissions(created.id, { permissions: [{ permission: `iam:domain::${consumerDomain}` }] })
  const endpoint = await consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de', ...options.endpoint })
  await eventually(async () => ((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status === 'pendingAcceptance' ? true : undefined), 'endpoint pending')
  if (options.accept !== false) {
    await providerSdk.acceptOrRejectEndpoint(created.id, { endpoints: [endpoint.id], action: 'receive' })
  }
  return { service: created, endpoint }
}

/** Polls (well within `withinMs`) until host:port accepts a connection that echoes. */
export async function forwardsWithin(host: string, port: number, withinMs: number, localAddress = '127.0.0.1'): Promise<void> {
  await eventually(
    async () => {
      try {
        const client = await connect(host, port, localAddress)
        client.socket.write('ping')
        await client.receivedAtLeast(4)
        client.socket.destroy()
        return true
      } catch {
        return undefined
      }
    },
    `${host}:${port} forwarding`,
    withinMs,
  )
}
