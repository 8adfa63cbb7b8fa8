import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { ManualClock, availableService, settledNewEndpoint } from '../helpers/fixtures.ts'

/*
 * A list answers every resource exactly as its GET does: the same counts, tags in the order written,
 * ports and whitelist. Lists of one row and of many are both checked, since a page's size once chose how
 * its rows were completed. The service has connections in every settled status, so a count of all of
 * them (rather than the live ones) shows; the tags are written out of alphabetical order, so an order by
 * key (rather than by position) shows.
 */

/** Tags written in neither alphabetical nor reverse order, so any order but the written one is wrong. */
const SERVICE_TAGS = [
  { key: 'mid', value: '2' },
  { key: 'zeta', value: '1' },
  { key: 'alpha', value: '3' },
]
const ENDPOINT_TAGS = [
  { key: 'team', value: 'b' },
  { key: 'app', value: 'a' },
  { key: 'tier', value: 'c' },
]
const PORTS = [
  { client_port: 8443, server_port: 443, protocol: 'TCP' },
  { client_port: 80, server_port: 8080, protocol: 'TCP' },
]
const ENDPOINT_WHITELIST = ['192.168.1.1', '10.0.0.0/24']

/** A GET answer's body as a list item carries it: without the SDK's own `httpStatusCode`. */
function asListed({ httpStatusCode: _status, ...body }: SdkResponse): { [field: string]: any } {
  return body
}

for (const dialect of dialects()) {
  describe(`list answers carry every field their GET does [${dialect}]`, () => {
    let server: TestServer
    let provider: TestVpcepClient
    let consumer: TestVpcepClient
    let service: SdkResponse
    let otherService: SdkResponse
    /** One endpoint per settled status: accepted, rejected, still pending. */
    const endpoints: Record<'accepted' | 'rejected' | 'pendingAcceptance', SdkResponse> = {} as never

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), {}, new ManualClock())
      const [providerAccount, consumerAccount] = await Promise.all([server.account('lister'), server.account('listed')])
      provider = sdkClient(server.url, providerAccount)
      consumer = sdkClient(server.url, consumerAccount)
      service = await availableService(provider, { approval_enabled: true, ports: PORTS, tags: SERVICE_TAGS })
      otherService = await availableService(provider, { approval_enabled: false, tags: [{ key: 'only', value: 'one' }] })
      await provider.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumerAccount.domainId}`] })
      for (const status of ['accepted', 'rejected', 'pendingAcceptance'] as const) {
        const endpoint = await settledNewEndpoint(consumer, { endpoint_service_id: service.id, tags: ENDPOINT_TAGS, whitelist: ENDPOINT_WHITELIST, enable_whitelist: true })
        assert.equal(endpoint.status, 'pendingAcceptance')
        if (status !== 'pendingAcceptance') await provider.acceptOrRejectEndpoint(service.id, { action: status === 'accepted' ? 'receive' : 'reject', endpoints: [endpoint.id] })
        endpoints[status] = await consumer.listEndpointInfoDetails(endpoint.id)
        assert.equal(endpoints[status].status, status)
      }
    })
    after(() => server.stop())

    it('a service reads the same from GET, a one-row list and a many-row list', async () => {
      const got = asListed(await provider.listServiceDetails(service.id))
      assert.equal(got.connection_count, 1, 'only the accepted connection is live')
      assert.deepEqual(got.tags, SERVICE_TAGS)
      assert.deepEqual(got.ports.map((p: SdkResponse) => [p.client_port, p.server_port, p.protocol]), PORTS.map((p) => [p.client_port, p.server_port, p.protocol]))

      const one = await provider.listEndpointService({ id: service.id })
      assert.equal(one.endpoint_services.length, 1)
      assert.deepEqual(one.endpoint_services[0], got)

      const many = await provider.listEndpointService({ limit: 100 })
      assert.equal(many.endpoint_services.length, 2)
      assert.deepEqual(many.endpoint_services.find((s: SdkResponse) => s.id === service.id), got)
      assert.deepEqual(many.endpoint_services.find((s: SdkResponse) => s.id === otherService.id), asListed(await provider.listServiceDetails(otherService.id)))
    })

    it('the connection count follows decisions in lists as in GET', async () => {
      await provider.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [endpoints.pendingAcceptance.id] })
      assert.equal((await provider.listServiceDetails(service.id)).connection_count, 2)
      assert.equal((await provider.listEndpointService({ id: service.id })).endpoint_services[0].connection_count, 2)
      const many = await provider.listEndpointService({ limit: 100 })
      assert.deepEqual(many.endpoint_services.map((s: SdkResponse) => [s.id, s.connection_count]).sort(), [[service.id, 2], [otherService.id, 0]].sort())
      // Rejected again, so the other tests still see one accepted connection among three.
      await provider.acceptOrRejectEndpoint(service.id, { action: 'reject', endpoints: [endpoints.pendingAcceptance.id] })
      assert.equal((await provider.listEndpointService({ id: service.id })).endpoint_services[0].connection_count, 1)
    })

    it('an endpoint reads the same from GET, a one-row list and a many-row list', async () => {
      for (const endpoint of Object.values(endpoints)) {
        const got = asListed(await consumer.listEndpointInfoDetails(endpoint.id))
        assert.deepEqual(got.tags, ENDPOINT_TAGS)
        assert.deepEqual(got.whitelist, ENDPOINT_WHITELIST)
        assert.equal(got.enable_whitelist, true)
        assert.equal(got.endpoint_service_name, service.service_name)

        const one = await consumer.listEndpoints({ id: endpoint.id })
        assert.equal(one.endpoints.length, 1)
        assert.deepEqual(one.endpoints[0], got)

        const many = await consumer.listEndpoints({ limit: 100 })
        assert.equal(many.endpoints.length, 3)
        assert.deepEqual(many.endpoints.find((e: SdkResponse) => e.id === endpoint.id), got)
      }
    })

    it('a connection reads as its endpoint does, in one-row and many-row lists', async () => {
      const many = await provider.listServiceConnections(service.id, { limit: 100 })
      assert.equal(many.connections.length, 3)
      for (const endpoint of Object.values(endpoints)) {
        const got = await consumer.listEndpointInfoDetails(endpoint.id)
        const one = await provider.listServiceConnections(service.id, { id: endpoint.id })
        for (const connection of [one.connections[0], many.connections.find((c: SdkResponse) => c.id === endpoint.id)]) {
          assert.deepEqual([connection.id, connection.status, connection.marker_id, connection.created_at, connection.updated_at], [got.id, got.status, got.marker_id, got.created_at, got.updated_at])
        }
      }
    })
  })
}
