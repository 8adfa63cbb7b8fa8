import net from 'node:net'
import { encodeProxyV2, plainAddress } from './proxy-v2.ts'

/** How one listener forwards; replaced as a whole when the endpoint or its service changes. */
export interface ForwardSpec {
  endpointId: string
  markerId: number
  backendHost: string
  backendPort: number
  /** Prepend a PROXY protocol v2 header to what the backend receives. */
  proxy: boolean
  admits(source: string): boolean
}

/** What a forwarder tells the data plane's counters and metrics as it happens. */
export interface ForwarderEvents {
  opened(endpointId: string): void
  refused(endpointId: string, reason: 'whitelist' | 'backend'): void
  closed(endpointId: string, bytesIn: number, bytesOut: number): void
}

interface Connection {
  client: net.Socket
  upstream: net.Socket
  source: string
}

/**
 * One TCP listener of an endpoint: each admitted client gets its own connection to the backend, and
 * bytes are piped both ways (half-closes carried over, so a client may finish sending and still read).
 */
export class TcpForwarder {
  private readonly server: net.Server
  private readonly live = new Set<Connection>()
  private closedBytesIn = 0
  private closedBytesOut = 0

  constructor(
    private spec: ForwardSpec,
    private readonly events: ForwarderEvents,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => this.accept(client))
    // After listen() has succeeded, a server error (none is expected) must not take the process down.
    this.server.on('error', () => {})
  }

  /** Binds `host:port` (0: any free port); answers the port bound, or rejects with the bind error. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error)
      this.server.once('error', failed)
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', failed)
        resolve((this.server.address() as net.AddressInfo).port)
      })
    })
  }

  /** New settings for new connections; live ones whose source the whitelist no longer admits are cut. */
  update(spec: ForwardSpec): void {
    this.spec = spec
    for (const connection of this.live) if (!spec.admits(connection.source)) this.cut(connection)
  }

  get activeConnections(): number {
    return this.live.size
  }

  /** Bytes from clients to the backend and back, closed connections and live ones. */
  bytes(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.closedBytesIn
    let bytesOut = this.closedBytesOut
    for (const { client } of this.live) {
      bytesIn += client.bytesRead
      bytesOut += client.bytesWritten
    }
    return { bytesIn, bytesOut }
  }

  /** Stops listening and cuts every live connection at once. */
  close(): Promise<void> {
    for (const connection of this.live) this.cut(connection)
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private accept(client: net.Socket): void {
    const spec = this.spec
    const source = plainAddress(client.remoteAddress ?? '')
    client.on('error', () => {})
    if (!spec.admits(source)) {
      this.events.refused(spec.endpointId, 'whitelist')
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect({ host: spec.backendHost, port: spec.backendPort, allowHalfOpen: true, noDelay: true })
    const connection: Connection = { client, upstream, source }
    this.live.add(connection)
    let established = false
    upstream.once('connect', () => {
      established = true
      this.events.opened(spec.endpointId)
    })
    upstream.on('error', () => {
      if (!established) this.events.refused(spec.endpointId, 'backend')
      if (!client.destroyed) client.resetAndDestroy()
    })
    client.on('error', () => upstream.destroy())
    const finish = () => {
      if (!this.live.delete(connection)) return
      this.closedBytesIn += client.bytesRead
      this.closedBytesOut += client.bytesWritten
      if (established) this.events.closed(spec.endpointId, client.bytesRead, client.bytesWritten)
    }
    client.once('close', () => {
      upstream.destroy()
      finish()
    })
    // The backend is gone: what it sent still reaches the client, then the client's side closes too.
    upstream.once('close', () => {
      if (!client.destroyed) client.destroySoon()
    })
    if (spec.proxy) {
      upstream.write(
        encodeProxyV2({
          transport: 'tcp',
          source: { address: source, port: client.remotePort ?? 0 },
          destination: { address: client.localAddress ?? '', port: client.localPort ?? 0 },
          markerId: spec.markerId,
          endpointId: spec.endpointId,
        }),
      )
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }

  private cut(connection: Connection): void {
    if (!connection.client.destroyed) connection.client.resetAndDestroy()
    connection.upstream.destroy()
  }
}
