import type { Forwarding, ForwardingListener, PortMapping } from '../model/resources.ts'
import { isLoopback } from '../domain/ip-allocation.ts'
import { TcpForwarder, type ForwardSpec, type ForwarderEvents } from './tcp-forwarder.ts'
import { UdpForwarder } from './udp-forwarder.ts'
import { whitelistTest } from './acl.ts'
import type { DesiredEndpoint } from './desired.ts'

type Forwarder = TcpForwarder | UdpForwarder

interface Bound {
  forwarder: Forwarder
  listen: ForwardingListener
}

export interface ListenerPlan {
  endpoint: DesiredEndpoint
  /** Where the service's port id is; undefined: nowhere (the endpoint reports an error). */
  backend: string | undefined
  fallbackHost: string
}

const PROXY_MODES = new Set(['proxy_open', 'open'])
const TOA_MODES = new Set(['toa_open', 'open'])

/**
 * The listeners of one accepted endpoint, one per port mapping of its service: on the endpoint's own
 * loopback address at client_port, else on a port of the fallback host (kept across restarts).
 */
export class EndpointListeners {
  private readonly bound = new Map<string, Bound>()
  private problems: string[] = []
  private backend: string | undefined
  private proxy = false
  private toa = false
  connectionsTotal = 0
  refusedTotal = 0

  constructor(
    readonly id: string,
    private readonly events: ForwarderEvents,
    /** Fallback ports this endpoint had before (from its forwarding row), by `protocol/clientPort`. */
    private readonly rememberedPorts: Map<string, number>,
  ) {}

  /** Converges on `plan`: opens missing listeners, updates live ones, closes those no longer wanted. */
  async apply(plan: ListenerPlan): Promise<void> {
    const { endpoint, backend } = plan
    this.backend = backend
    this.proxy = PROXY_MODES.has(endpoint.tcpProxy)
    this.toa = TOA_MODES.has(endpoint.tcpProxy)
    this.problems = []
    if (backend === undefined) {
      this.problems.push(`no backend address for port id ${endpoint.portId}: set one with "vpcep backends set ${endpoint.portId} <address>"`)
      await this.closeAll()
      return
    }
    const admits = whitelistTest(endpoint.enableWhitelist, endpoint.whitelist)
    const wanted = new Map(endpoint.ports.map((p) => [`${p.protocol.toUpperCase()}/${p.clientPort}`, p]))
    for (const [key, bound] of this.bound) {
      if (!wanted.has(key)) {
        this.bound.delete(key)
        await bound.forwarder.close()
      }
    }
    for (const [key, port] of wanted) {
      const spec: ForwardSpec = { endpointId: endpoint.id, markerId: endpoint.markerId, backendHost: backend, backendPort: port.serverPort, proxy: this.proxy, admits }
      const existing = this.bound.get(key)
      if (existing) {
        existing.forwarder.update(spec)
        existing.listen.backend = `${backend}:${port.serverPort}`
        continue
      }
      await this.open(key, port, spec, endpoint.ip, plan.fallbackHost)
    }
  }

  private async open(key: string, port: PortMapping, spec: ForwardSpec, ip: string, fallbackHost: string): Promise<void> {
    const protocol = port.protocol.toUpperCase()
    const attempts: Array<[string, number]> = isLoopback(ip) ? [[ip, port.clientPort]] : []
    const remembered = this.rememberedPorts.get(key)
    if (remembered) attempts.push([fallbackHost, remembered])
    attempts.push([fallbackHost, 0])
    for (const [host, wantedPort] of attempts) {
      const forwarder = protocol === 'UDP' ? new UdpForwarder(spec, this.events) : new TcpForwarder(spec, this.events)
      try {
        const bound = await forwarder.listen(host, wantedPort)
        this.bound.set(key, { forwarder, listen: { protocol, clientPort: port.clientPort, listen: `${host}:${bound}`, backend: `${spec.backendHost}:${spec.backendPort}` } })
        this.rememberedPorts.set(key, bound)
        return
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        // The endpoint's own address not configured here (not Linux): a port of the fallback host instead.
        if (code === 'EADDRNOTAVAIL' && host === ip) continue
        if (code === 'EADDRINUSE' && host === fallbackHost && wantedPort !== 0) continue
        this.problems.push(`${protocol} ${host}:${wantedPort}: ${code === 'EADDRINUSE' ? 'address in use by another program' : (error as Error).message}`)
        return
      }
    }
  }

  get activeConnections(): number {
    let n = 0
    for (const { forwarder } of this.bound.values()) n += forwarder.activeConnections
    return n
  }

  get hasProblems(): boolean {
    return this.problems.length > 0
  }

  /** What the endpoint's `forwarding` field shows. */
  report(stamp: string): Forwarding {
    let bytesIn = 0
    let bytesOut = 0
    for (const { forwarder } of this.bound.values()) {
      const b = forwarder.bytes()
      bytesIn += b.bytesIn
      bytesOut += b.bytesOut
    }
    const notes = [...this.problems]
    if (this.toa) notes.push('toa_open: a TOA TCP option cannot be produced from user space; client addresses reach the backend only through the PROXY protocol (proxy_open)')
    return {
      state: this.problems.length ? 'error' : 'forwarding',
      message: notes.join('; '),
      proxyProtocol: this.proxy ? 'v2' : 'none',
      listeners: [...this.bound.values()].map((b) => ({ ...b.listen })),
      activeConnections: this.activeConnections,
      connectionsTotal: this.connectionsTotal,
      refusedTotal: this.refusedTotal,
      bytesIn,
      bytesOut,
      updatedAt: stamp,
    }
  }

  get backendAddress(): string | undefined {
    return this.backend
  }

  async closeAll(): Promise<void> {
    const all = [...this.bound.values()]
    this.bound.clear()
    await Promise.all(all.map((b) => b.forwarder.close()))
  }
}
