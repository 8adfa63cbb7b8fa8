import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import dnsPacket from 'dns-packet'
import { loadConfig, loopbackRange } from '../../src/config.ts'
import { startEmbeddedDataplane, type DataPlane } from '../../src/dataplane/index.ts'
import { systemClock } from '../../src/domain/clock.ts'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { httpRequest } from '../helpers/http.ts'
import { acceptedEndpoint, connect, echoBackend, forwardsWithin, privateRange, refused, startDataplane } from '../helpers/dataplane.ts'
import { SUBNET, VPC } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const ADMIN_TOKEN = 'dataplane-admin-token-0123456789'

function dnsQuery(port: number, name: string): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.on('error', reject)
    socket.on('message', (message) => {
      socket.close()
      resolve(dnsPacket.decode(message))
    })
    socket.bind(0, '127.0.0.1', () => socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1'))
  })
}

/** dns-packet decodes the response code too; its types leave it out. */
const rcodeOf = (packet: dnsPacket.DecodedPacket) => (packet as unknown as { rcode: string }).rcode

for (const dialect of dialects()) {
  describe(`data plane: configuration, DNS, UDP and errors that never take the API down [${dialect}]`, () => {
    let server: TestServer
    let plane: DataPlane
    let logs: string[]
    let consumer: NewAccount
    let providerSdk: TestVpcepClient
    let consumerSdk: TestVpcepClient
    let backend: Awaited<ReturnType<typeof echoBackend>>
    const range = privateRange()

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      backend = await echoBackend()
      server = await startServer(url, { adminToken: ADMIN_TOKEN, dataplane: { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, addressRange: range } })
      ;({ plane, logs } = await startDataplane(server, { defaultBackend: undefined, dnsPort: 0 }))
      const provider = await server.account('provider')
      consumer = await server.account('consumer')
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
    })
    after(async () => {
      await plane.stop()
      await server.stop()
      await backend.close()
    })

    const admin = (method: string, route: string, body?: unknown) =>
      httpRequest(`${server.url}${route}`, { method, headers: { 'x-admin-token': ADMIN_TOKEN, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })

    it('reports an unknown backend as the endpoint\'s error, and forwards once the admin API maps the port', async () => {
      const { service, endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port)
      const failing = await eventually(async () => (await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding, 'forwarding report')
      assert.equal(failing.state, 'error')
      assert.match(failing.message, new RegExp(`no backend address for port id ${service.port_id}`))
      assert.ok(logs.some((l) => l.includes('endpoint cannot forward')))
      const wrong = await admin('PUT', `/admin/v1/backends/${service.port_id}`, { address: 'db.internal:5432' })
      assert.equal(wrong.status, 400)
      const set = await admin('PUT', `/admin/v1/backends/${service.port_id}`, { address: '127.0.0.1' })
      assert.equal(set.status, 200)
      await forwardsWithin(endpoint.ip, 8080, 1000)
      const listed = (await admin('GET', '/admin/v1/backends')).json
      assert.deepEqual(listed.backends.map((b: { port_id: string; address: string }) => [b.port_id, b.address]), [[service.port_id, '127.0.0.1']])
      assert.equal((await admin('DELETE', `/admin/v1/backends/${service.port_id}`)).status, 204)
      assert.equal((await admin('DELETE', `/admin/v1/backends/${service.port_id}`)).status, 404)
    })

    it('reports a listening address taken by another program, and binds it once it is free', async () => {
      const portId = randomUUID()
      await admin('PUT', `/admin/v1/backends/${portId}`, { address: '127.0.0.1' })
      const { endpoint, service } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { accept: false, service: { port_id: portId } })
      const squatter = net.createServer()
      await new Promise<void>((resolve) => squatter.listen(8080, endpoint.ip, resolve))
      await providerSdk.acceptOrRejectEndpoint(service.id, { endpoints: [endpoint.id], action: 'receive' })
      const failing = await eventually(async () => (await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding, 'forwarding report')
      assert.equal(failing.state, 'error')
      assert.match(failing.message, new RegExp(`${endpoint.ip.replace(/\./g, '\\.')}:8080: address in use`))
      await new Promise((resolve) => squatter.close(resolve))
      await forwardsWithin(endpoint.ip, 8080, 5000)
    })

    it('cuts live connections within 1 s when the endpoint fails, and when its service leaves available', async () => {
      for (const target of ['endpoint', 'endpoint_service'] as const) {
        const portId = randomUUID()
        await admin('PUT', `/admin/v1/backends/${portId}`, { address: '127.0.0.1' })
        const { endpoint, service } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { service: { port_id: portId } })
        await forwardsWithin(endpoint.ip, 8080, 1000)
        const client = await connect(endpoint.ip, 8080)
        const started = Date.now()
        const failed = await admin('POST', `/admin/v1/${target}/${target === 'endpoint' ? endpoint.id : service.id}/fail`, { errors: [{ code: 'EP.0001', message: 'test' }] })
        assert.equal(failed.status, 200)
        await client.closed
        assert.ok(Date.now() - started < 1000, `${target}: cut after ${Date.now() - started} ms`)
        assert.equal(await refused(endpoint.ip, 8080), true)
      }
    })

    it('answers the private DNS name of an enable_dns endpoint with its address', async () => {
      const portId = randomUUID()
      await admin('PUT', `/admin/v1/backends/${portId}`, { address: '127.0.0.1' })
      const { endpoint } = await acceptedEndpoint(providerSdk, consumerSdk, consumer.domainId, backend.port, { endpoint: { enable_dns: true }, service: { port_id: portId } })
      const [name] = (await consumerSdk.listEndpointInfoDetails(endpoint.id)).dns_names
      const port = Number(plane.dnsAddress!.split(':')[1])
      const answer = await eventually(async () => {
        const reply = await dnsQuery(port, name)
        return reply.answers?.length ? reply : undefined
      }, 'DNS answer', 2000)
      assert.equal(answer.id, 7)
      assert.deepEqual(answer.answers!.map((a) => [a.type, (a as { data: string }).data]), [['A', endpoint.ip]])
      assert.equal(rcodeOf(await dnsQuery(port, `${randomUUID()}.vpcep.${server.config.region}.internal`)), 'NXDOMAIN')
      assert.equal(rcodeOf(await dnsQuery(port, 'example.com')), 'REFUSED')
    })

    it('forwards UDP ports datagram by datagram, and says toa_open cannot be produced', async () => {
      const udpBackend = dgram.createSocket('udp4')
      udpBackend.on('message', (message, peer) => udpBackend.send(Buffer.concat([Buffer.from('echo:'), message]), peer.port, peer.address))
      await new Promise<void>((resolve) => udpBackend.bind(0, '127.0.0.1', resolve))
      const portId = randomUUID()
      await admin('PUT', `/admin/v1/backends/${portId}`, { address: '127.0.0.1' })
      const created = await providerSdk.createEndpointService({ port_id: portId, vpc_id: VPC, server_type: 'VM', tcp_proxy: 'toa_open', ports: [{ client_port: 5300, server_port: udpBackend.address().port, protocol: 'UDP' }] })
      await eventually(async () => ((await providerSdk.listServiceDetails(created.id)).status === 'available' ? true : undefined), 'service available')
      await providerSdk.batchAddEndpointServicePermissions(created.id, { permissions: [{ permission: `iam:domain::${consumer.domainId}` }] })
      const endpoint = await consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET })
      await eventually(async () => ((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status === 'pendingAcceptance' ? true : undefined), 'pending')
      await providerSdk.acceptOrRejectEndpoint(created.id, { endpoints: [endpoint.id], action: 'receive' })
      const report = await eventually(async () => (await consumerSdk.listEndpointInfoDetails(endpoint.id)).forwarding, 'forwarding report')
      assert.match(report.message, /cannot be produced from user space/)
      assert.ok(logs.some((l) => l.startsWith('toa_open')))
      const client = dgram.createSocket('udp4')
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.2', resolve))
      const reply = await new Promise<string>((resolve) => {
        client.on('message', (m) => resolve(m.toString()))
        client.send('hi', 5300, endpoint.ip)
      })
      assert.equal(reply, 'echo:hi')
      client.close()
      udpBackend.close()
    })
  })

  describe(`data plane: an exhausted address range and a bad backends file [${dialect}]`, () => {
    let server: TestServer

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      const base = privateRange()
      const tiny = loopbackRange('tiny', `${base.cidr.split('/')[0]}/30`)
      server = await startServer(url, { dataplane: { ...loadConfig({ VPCEP_DATABASE_URL: url }).dataplane, addressRange: tiny } })
    })
    after(() => server.stop())

    it('refuses a create when every address of the range is taken, with a clear error', async () => {
      const provider = await server.account('provider')
      const sdk = sdkClient(server.url, provider)
      const service = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', approval_enabled: false, ports: [{ client_port: 80, server_port: 80, protocol: 'TCP' }] })
      await eventually(async () => ((await sdk.listServiceDetails(service.id)).status === 'available' ? true : undefined), 'service available')
      await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      const error = await sdkError(sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET }))
      assert.equal(error.httpStatusCode, 400)
      assert.equal(error.errorCode, 'EndPoint.4010')
      assert.match(error.errorMsg, /VPCEP_ENDPOINT_ADDRESS_RANGE/)
      // An explicit port_ip outside loopback still works (it forwards from a port of 127.0.0.1).
      const own = await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, port_ip: '192.168.40.7' })
      assert.equal(own.ip, '192.168.40.7')
    })

    it('logs an unusable backends file and leaves the API running', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-backends-')), 'backends.json')
      fs.writeFileSync(file, JSON.stringify({ 'port-1': 'not an address' }))
      const errors: string[] = []
      const log = { info() {}, warn() {}, error: (o: object, m: string) => void errors.push(`${m} ${JSON.stringify(o)}`) }
      const plane = await startEmbeddedDataplane({ store: server.store, config: { ...server.config.dataplane, backendsFile: file, dnsPort: undefined }, dnsZone: 'z', clock: systemClock, log })
      assert.equal(plane, undefined)
      assert.match(errors.join('\n'), /VPCEP_BACKENDS_FILE .*port-1: a backend address is an IPv4 address/)
      assert.equal((await httpRequest(`${server.url}/healthz`, { method: 'GET' })).status, 200)
    })
  })
}
