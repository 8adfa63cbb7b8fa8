import dgram from 'node:dgram'
import { bindUdp } from './bind.ts'
import net from 'node:net'
import { encodeProxyV2 } from './proxy-v2.ts'
import type { ForwardSpec, ForwarderEvents } from './tcp-forwarder.ts'

/** A client's flow ends after this long without a datagram either way. */
const IDLE_MS = 60_000

interface Flow {
  upstream: dgram.Socket
  address: string
  port: number
  bytesIn: number
  bytesOut: number
  timer: NodeJS.Timeout
}

/**
 * One UDP listener of an endpoint: each client address:port is a flow with its own socket towards the
 * backend, so replies find their way back. With the PROXY protocol every datagram carries the header
 * (the specification's rule for datagrams).
 */
export class UdpForwarder {
  private readonly socket = dgram.createSocket({ type: 'udp4' })
  private readonly flows = new Map<string, Flow>()
  private closedBytesIn = 0
  private closedBytesOut = 0
  private local = { address: '', port: 0 }

  constructor(
    private spec: ForwardSpec,
    private readonly events: ForwarderEvents,
  ) {
    this.socket.on('message', (message, peer) => this.receive(message, peer))
    this.socket.on('error', () => {})
  }

  async listen(host: string, port: number): Promise<number> {
    const bound = await bindUdp(this.socket, host, port)
    this.local = this.socket.address()
    return bound
  }

  update(spec: ForwardSpec): void {
    this.spec = spec
    for (const [key, flow] of this.flows) if (!spec.admits(flow.address)) this.end(key, flow)
  }

  get activeConnections(): number {
    return this.flows.size
  }

  bytes(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.closedBytesIn
    let bytesOut = this.closedBytesOut
    for (const flow of this.flows.values()) {
      bytesIn += flow.bytesIn
      bytesOut += flow.bytesOut
    }
    return { bytesIn, bytesOut }
  }

  close(): Promise<void> {
    for (const [key, flow] of this.flows) this.end(key, flow)
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  private receive(message: Buffer, peer: dgram.RemoteInfo): void {
    const spec = this.spec
    if (!net.isIPv4(peer.address) || !spec.admits(peer.address)) {
      this.events.refused(spec.endpointId, 'whitelist')
      return
    }
    const key = `${peer.address}:${peer.port}`
    let flow = this.flows.get(key)
    if (!flow) flow = this.startFlow(key, peer)
    flow.timer.refresh()
    flow.bytesIn += message.length
    const header = spec.proxy
      ? encodeProxyV2({ transport: 'udp', source: { address: peer.address, port: peer.port }, destination: this.local, markerId: spec.markerId, endpointId: spec.endpointId })
      : undefined
    flow.upstream.send(header ? Buffer.concat([header, message]) : message, spec.backendPort, spec.backendHost)
  }

  private startFlow(key: string, peer: dgram.RemoteInfo): Flow {
    const upstream = dgram.createSocket({ type: 'udp4' })
    upstream.on('error', () => {})
    // Towards a loopback backend the flow's socket stays on loopback too, never on every interface.
    const backend = this.spec.backendHost
    if (backend === 'localhost' || backend.startsWith('127.')) upstream.bind({ address: '127.0.0.1', port: 0 })
    const flow: Flow = { upstream, address: peer.address, port: peer.port, bytesIn: 0, bytesOut: 0, timer: setTimeout(() => this.end(key, flow), IDLE_MS) }
    flow.timer.unref()
    upstream.on('message', (reply) => {
      flow.timer.refresh()
      flow.bytesOut += reply.length
      this.socket.send(reply, peer.port, peer.address)
    })
    this.flows.set(key, flow)
    this.events.opened(this.spec.endpointId)
    return flow
  }

  private end(key: string, flow: Flow): void {
    if (!this.flows.delete(key)) return
    clearTimeout(flow.timer)
    flow.upstream.close()
    this.closedBytesIn += flow.bytesIn
    this.closedBytesOut += flow.bytesOut
    this.events.closed(this.spec.endpointId, flow.bytesIn, flow.bytesOut)
  }
}
