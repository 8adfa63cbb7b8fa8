import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { V2ProxyProtocol } from 'proxy-protocol-js'
import { loadConfig } from '../../src/config.ts'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { acceptedEndpoint, connect, echoBackend, forwardsWithin, privateRange, refused, startDataplane } from '../helpers/dataplane.ts'
import type { DataPlane } from '../../src/dataplane/index.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import type { AddressInfo } from 'node:net'
import { proxyEchoServer } from '../../src/dataplane/proxy-echo.ts'
import { httpRequest } from '../helpers/http.ts'

/** The custom TLVs of a PROXY v2 header's TLV bytes, by type (docs/decisions.md). */
function tlvs(data: Uint8Array): Map<number, Buffer> {
  const found = new Map<number, Buffer>()
  const bytes = Buffer.from(data)
  for (let at = 0; at + 3 <= bytes.length; ) {
    const length = bytes.readUInt16BE(at + 1)
    found.set(bytes[at]!, bytes.subarray(at + 3, at + 3 + length))
    at += 3 + length
  }
  return found
}

for (const dialect of dialects()) {
  describe(`data plane: accepted endpoints carry TCP to the backend [${dialect}]`, () => {
    let url: string
    let server: TestServer
    let plane: DataPlane
    let provider: NewAccount
    let consumer: NewAccount
    let providerSdk: TestVpcepClient
    let consumerSdk: TestVpcepClient
    let backend: Awaited<ReturnType<typeof echoBackend>>
    const range = privateRange()

    async function start() {
      server = await startServer(url, { dataplane: { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, addressRange: range } })
      plane = (await startDataplane(server)).plane
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
    }

    before(async () => {
      url = await freshDatabaseUrl(dialect)
      backend = await echoBackend()
      server = await startServer(url, { dataplane: { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, addressRange: range } })
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      await server.stop()
      await start()
    })
    after(async () => {
      await plane.stop()
      await server.stop()
      await backend.close()
    })

    it('gives the endpoint a loopback address; refuses while pending; forwards within 1 s of accept; shows where', async () => {
      const { service, endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { accept: false })
      const first = range.first
      assert.match(endpoint.ip, /^127\./)
      assert.ok(Number(endpoint.ip.split('.').reduce((n: number, o: string) => n * 256 + Number(o), 0)) >= first)
      assert.equal(await refused(endpoint.ip, 8080), true, 'pendingAcceptance refuses')
      await providerSdk.acceptOrRejectEndpoint(service.id, { endpoints: [endpoint.id], action: 'receive' })
      await forwardsWithin(endpoint.ip, 8080, 1000)

      const client = await connect(endpoint.ip, 8080)
      client.socket.write('hello')
      assert.equal((await client.receivedAtLeast(5)).toString(), 'hello', 'close sends no PROXY header')
      const shown = await eventually(async () => {
        const e = await consumerSdk.listEndpointInfoDetails(endpoint.id)
        return e.forwarding?.active_connections === 1 ? e : undefined
      }, 'live connection reported')
      assert.deepEqual(shown.forwarding.listeners, [{ protocol: 'TCP', client_port: 8080, listen: `${endpoint.ip}:8080`, backend: `127.0.0.1:${backend.port}` }])
      assert.equal(shown.forwarding.state, 'forwarding')
      assert.equal(shown.forwarding.proxy_protocol, 'none')
      client.socket.destroy()
    })

    it('prepends a PROXY v2 header that an independent parser reads: client address, endpoint address, marker_id, endpoint id', async () => {
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { tcpProxy: 'proxy_open' })
      await eventually(async () => ((await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding ? true : undefined), 'forwarding')
      const client = await connect(endpoint.ip, 8080, '127.0.0.2')
      client.socket.write('after-header')
      const received = await eventually(async () => {
        const bytes = client.received()
        return bytes.length >= 16 && bytes.length >= 16 + bytes.readUInt16BE(14) + 12 ? bytes : undefined
      }, 'header and payload echoed')
      const headerLength = 16 + received.readUInt16BE(14)
      const parsed = V2ProxyProtocol.parse(new Uint8Array(received.subarray(0, headerLength)))
      const address = parsed.proxyAddress as unknown as { sourceAddress: { address: number[] }; sourcePort: number; destinationAddress: { address: number[] }; destinationPort: number }
      assert.equal(address.sourceAddress.address.join('.'), '127.0.0.2')
      assert.equal(address.sourcePort, client.socket.localPort)
      assert.equal(address.destinationAddress.address.join('.'), endpoint.ip)
      assert.equal(address.destinationPort, 8080)
      const found = tlvs(parsed.data ?? new Uint8Array())
      assert.equal(found.get(0xe0)?.readUInt32BE(0), endpoint.marker_id)
      assert.equal(found.get(0xe1)?.toString('ascii'), endpoint.id)
      assert.equal(received.subarray(headerLength).toString(), 'after-header')
      client.socket.destroy()
    })

    it('cuts a live connection within 1 s of reject, and refuses new ones', async () => {
      const { service, endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port)
      await forwardsWithin(endpoint.ip, 8080, 1000)
      const client = await connect(endpoint.ip, 8080)
      client.socket.write('x')
      await client.receivedAtLeast(1)
      const started = Date.now()
      await providerSdk.acceptOrRejectEndpoint(service.id, { endpoints: [endpoint.id], action: 'reject' })
      await client.closed
      assert.ok(Date.now() - started < 1000, `cut after ${Date.now() - started} ms`)
      assert.equal(await refused(endpoint.ip, 8080), true)
    })

    it('cuts a live connection within 1 s of the endpoint being deleted', async () => {
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port)
      await forwardsWithin(endpoint.ip, 8080, 1000)
      const client = await connect(endpoint.ip, 8080)
      const started = Date.now()
      await consumerSdk.deleteEndpoint(endpoint.id)
      await client.closed
      assert.ok(Date.now() - started < 1000, `cut after ${Date.now() - started} ms`)
    })

    it("enforces the endpoint's IP whitelist on the source address, and a change cuts a removed source within 1 s", async () => {
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { endpoint: { enable_whitelist: true, whitelist: ['127.0.0.2', '127.0.0.16/30'] } })
      await forwardsWithin(endpoint.ip, 8080, 1000, '127.0.0.2')
      assert.equal(await refused(endpoint.ip, 8080, '127.0.0.3'), true, '127.0.0.3 is not listed')
      assert.equal(await refused(endpoint.ip, 8080, '127.0.0.17'), false, '127.0.0.17 is inside 127.0.0.16/30')
      const allowed = await connect(endpoint.ip, 8080, '127.0.0.2')
      const other = await connect(endpoint.ip, 8080, '127.0.0.18')
      other.socket.write('still')
      await other.receivedAtLeast(5)
      const started = Date.now()
      await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['127.0.0.16/30'], enable_whitelist: true })
      await allowed.closed
      assert.ok(Date.now() - started < 1000, `cut after ${Date.now() - started} ms`)
      other.socket.write('!')
      assert.equal((await other.receivedAtLeast(6)).toString(), 'still!', 'a source still listed keeps its connection')
      other.socket.destroy()
      // The cut comes from the data plane's pass and its report is written at the end of that pass: a pass
      // run now (queued behind any under way) is the barrier after which the refusal is in the report.
      await plane.kick()
      const rows = await consumerSdk.listEndpointInfoDetails(endpoint.id)
      assert.ok(rows.forwarding.refused_total >= 1)
    })

    it('forwards an endpoint whose address is not loopback (an explicit port_ip) from a port of 127.0.0.1, the same one after a restart', async () => {
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { endpoint: { port_ip: '192.168.77.5' } })
      assert.equal(endpoint.ip, '192.168.77.5')
      const shown = await eventually(async () => (await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding, 'forwarding')
      const [host, port] = shown.listeners[0].listen.split(':')
      assert.equal(host, '127.0.0.1')
      await forwardsWithin(host, Number(port), 1000)
      await plane.stop()
      await server.stop()
      await start()
      await forwardsWithin(host, Number(port), 2000)
      assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding.listeners[0].listen, `127.0.0.1:${port}`)
    })

    it('reaches the example backend (vpcep proxy-echo), which answers an HTTP client with the header it parsed', async () => {
      const echo = proxyEchoServer(() => {})
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, (echo.address() as AddressInfo).port, { tcpProxy: 'proxy_open', clientPort: 8081 })
      const answer = await eventually(async () => {
        try {
          return await httpRequest(`http://${endpoint.ip}:8081/hello`)
        } catch {
          return undefined
        }
      }, 'HTTP through the endpoint', 2000)
      assert.equal(answer.status, 200)
      assert.equal(answer.json.header.markerId, endpoint.marker_id)
      assert.equal(answer.json.header.endpointId, endpoint.id)
      assert.deepEqual(answer.json.header.destination, { address: endpoint.ip, port: 8081 })
      await new Promise((resolve) => echo.close(resolve))
    })

    it('restores every listener from the database after a restart', async () => {
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { clientPort: 9090 })
      await forwardsWithin(endpoint.ip, 9090, 1000)
      await plane.stop()
      await server.stop()
      assert.equal(await refused(endpoint.ip, 9090), true, 'nothing listens while stopped')
      await start()
      const client = await connect(endpoint.ip, 9090)
      client.socket.write('back')
      assert.equal((await client.receivedAtLeast(4)).toString(), 'back')
      client.socket.destroy()
    })
  })
}
