import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { VPC, availableService, failure, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/** One operation aimed at a resource id; called with the real id and with a random one. */
interface Probe {
  name: string
  call: (id: string) => Promise<unknown>
}

for (const dialect of dialects()) {
  describe(`tenant isolation: provider A, consumer B, stranger C [${dialect}]`, () => {
    let server: TestServer
    let a: NewAccount
    let b: NewAccount
    let c: NewAccount
    let aSdk: TestVpcepClient
    let bSdk: TestVpcepClient
    let cSdk: TestVpcepClient
    /** A's service, whitelisting B. */
    let service: SdkResponse
    /** A's whitelist records: B's and an unrelated account's. */
    let records: SdkResponse[]
    /** B's endpoint to A's service, pendingAcceptance. */
    let endpoint: SdkResponse
    /** C's own service and C's own endpoint to it. */
    let cService: SdkResponse
    let cEndpoint: SdkResponse
    const bVpc = randomUUID()
    const bSubnet = randomUUID()
    let baseline: Awaited<ReturnType<typeof snapshot>>

    /** Everything the owners can read about A's service and B's endpoint. */
    async function snapshot() {
      return {
        service: await aSdk.listServiceDetails(service.id),
        whitelist: await aSdk.listServicePermissionsDetails(service.id, { limit: 500, sort_dir: 'asc' }),
        connections: await aSdk.listServiceConnections(service.id, { limit: 1000 }),
        aServices: await aSdk.listEndpointService({ limit: 1000 }),
        endpoint: await bSdk.listEndpointInfoDetails(endpoint.id),
        bEndpoints: await bSdk.listEndpoints({ limit: 1000 }),
        cServices: await cSdk.listEndpointService({ limit: 1000 }),
        cEndpoints: await cSdk.listEndpoints({ limit: 1000 }),
        cConnections: await cSdk.listServiceConnections(cService.id, { limit: 1000 }),
        cWhitelist: await cSdk.listServicePermissionsDetails(cService.id, { limit: 500 }),
      }
    }

    /** Operations on A's service, as any caller may attempt them. */
    function serviceProbes(sdk: TestVpcepClient): Probe[] {
      return [
        { name: 'ListServiceDetails', call: (id) => sdk.listServiceDetails(id) },
        { name: 'DeleteEndpointService', call: (id) => sdk.deleteEndpointService(id) },
        { name: 'ListServicePermissionsDetails', call: (id) => sdk.listServicePermissionsDetails(id) },
        { name: 'ListServicePermissionsDetails (filtered)', call: (id) => sdk.listServicePermissionsDetails(id, { permission: b.domainId }) },
        { name: 'AddOrRemoveServicePermissions add', call: (id) => sdk.addOrRemoveServicePermissions(id, { action: 'add', permissions: [`iam:domain::${c.domainId}`] }) },
        { name: 'AddOrRemoveServicePermissions add *', call: (id) => sdk.addOrRemoveServicePermissions(id, { action: 'add', permissions: ['*'] }) },
        { name: 'AddOrRemoveServicePermissions remove', call: (id) => sdk.addOrRemoveServicePermissions(id, { action: 'remove', permissions: [`iam:domain::${b.domainId}`] }) },
        { name: 'BatchAddEndpointServicePermissions', call: (id) => sdk.batchAddEndpointServicePermissions(id, { permissions: [{ permission: `iam:domain::${c.domainId}`, description: 'me' }] }) },
        { name: 'BatchRemoveEndpointServicePermissions', call: (id) => sdk.batchRemoveEndpointServicePermissions(id, { permissions: records.map((r) => ({ id: r.id })) }) },
        { name: 'ListServiceConnections', call: (id) => sdk.listServiceConnections(id) },
        { name: 'ListServiceConnections (by id)', call: (id) => sdk.listServiceConnections(id, { id: endpoint.id }) },
        { name: 'AcceptOrRejectEndpoint receive', call: (id) => sdk.acceptOrRejectEndpoint(id, { action: 'receive', endpoints: [endpoint.id] }) },
        { name: 'AcceptOrRejectEndpoint reject', call: (id) => sdk.acceptOrRejectEndpoint(id, { action: 'reject', endpoints: [endpoint.id] }) },
      ]
    }

    /** Operations on B's endpoint. */
    function endpointProbes(sdk: TestVpcepClient): Probe[] {
      return [
        { name: 'ListEndpointInfoDetails', call: (id) => sdk.listEndpointInfoDetails(id) },
        { name: 'DeleteEndpoint', call: (id) => sdk.deleteEndpoint(id) },
      ]
    }

    /** Each probe fails on the real id exactly as on a random id, with the expected 404. */
    async function assertInvisible(probes: Probe[], realId: string, expected: [number, string]) {
      for (const probe of probes) {
        const onMissing = await failure(probe.call(randomUUID()))
        const onReal = await failure(probe.call(realId)).catch((error: Error) => {
          throw new Error(`${probe.name} on a foreign resource succeeded: ${error.message}`)
        })
        assert.deepEqual(onMissing, expected, `${probe.name} on a random id`)
        assert.deepEqual(onReal, onMissing, `${probe.name} on a foreign resource answers as for a random id`)
      }
    }

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      a = await server.account('provider')
      b = await server.account('consumer')
      c = await server.account('stranger')
      aSdk = sdkClient(server.url, a)
      bSdk = sdkClient(server.url, b)
      cSdk = sdkClient(server.url, c)

      service = await availableService(aSdk, { service_name: 'isosvc' })
      records = (
        await aSdk.batchAddEndpointServicePermissions(service.id, {
          permissions: [{ permission: `iam:domain::${b.domainId}`, description: 'consumer' }, { permission: 'iam:domain::abc123', description: 'other' }],
        })
      ).permissions
      endpoint = await settledNewEndpoint(bSdk, { endpoint_service_id: service.id, vpc_id: bVpc, subnet_id: bSubnet })
      assert.equal(endpoint.status, 'pendingAcceptance')

      cService = await availableService(cSdk, { service_name: 'strangersvc' })
      await cSdk.addOrRemoveServicePermissions(cService.id, { action: 'add', permissions: ['iam:domain::def456'] })
      cEndpoint = await settledNewEndpoint(cSdk, { endpoint_service_id: cService.id })
      baseline = await snapshot()
    })
    after(() => server.stop())

    it('a stranger gets a nonexistent-id answer from every operation on the service and changes nothing', async () => {
      await assertInvisible(serviceProbes(cSdk), service.id, [404, 'EndPoint.0005'])
      assert.deepEqual(await snapshot(), baseline)
    })

    it('a stranger gets a nonexistent-id answer from every operation on the endpoint and changes nothing', async () => {
      await assertInvisible(endpointProbes(cSdk), endpoint.id, [404, 'EndPoint.2006'])
      assert.deepEqual(await snapshot(), baseline)
    })

    it('a stranger cannot connect to a service that does not whitelist it, and nothing is created', async () => {
      const body = { vpc_id: VPC, subnet_id: randomUUID() }
      const onMissing = await failure(cSdk.createEndpoint({ ...body, endpoint_service_id: randomUUID() }))
      assert.deepEqual(onMissing, [400, 'EndPoint.2003'])
      // The documented answer for an account not on the whitelist (digest §4.3, §4.5.1).
      const onReal = await failure(cSdk.createEndpoint({ ...body, endpoint_service_id: service.id }))
      assert.deepEqual(onReal, [400, 'EndPoint.2012'])
      assert.deepEqual(await snapshot(), baseline)
    })

    it('a stranger cannot reach foreign records or endpoints through its own service', async () => {
      // A's whitelist record ids are not records of C's service: refused, and A's whitelist keeps them.
      const foreignRecords = await failure(cSdk.batchRemoveEndpointServicePermissions(cService.id, { permissions: [{ id: records[0]!.id }] }))
      assert.deepEqual(foreignRecords, [400, 'EndPoint.3002'])
      // B's endpoint is not connected to C's service.
      for (const action of ['receive', 'reject']) {
        const foreignEndpoint = await failure(cSdk.acceptOrRejectEndpoint(cService.id, { action, endpoints: [endpoint.id] }))
        assert.deepEqual(foreignEndpoint, [400, 'EndPoint.2013'])
      }
      assert.equal((await cSdk.listServiceConnections(cService.id, { id: endpoint.id })).total_count, 0)
      assert.equal((await cSdk.listServiceConnections(cService.id, { marker_id: endpoint.marker_id })).total_count, 0)
      assert.deepEqual(await snapshot(), baseline)
    })

    it("lists never show another account's resources", async () => {
      const ids = (list: SdkResponse, field: string) => (list[field] as Array<{ id: string }>).map((x) => x.id)

      const aServices = await aSdk.listEndpointService({ limit: 1000 })
      assert.deepEqual([ids(aServices, 'endpoint_services'), aServices.total_count], [[service.id], 1])
      const bServices = await bSdk.listEndpointService({ limit: 1000 })
      assert.deepEqual([ids(bServices, 'endpoint_services'), bServices.total_count], [[], 0])
      const cServices = await cSdk.listEndpointService({ limit: 1000 })
      assert.deepEqual([ids(cServices, 'endpoint_services'), cServices.total_count], [[cService.id], 1])
      for (const query of [{ id: service.id }, { endpoint_service_name: 'isosvc' }, { endpoint_service_name: service.id }, { status: 'available' }]) {
        const filtered = await cSdk.listEndpointService(query)
        assert.ok(!ids(filtered, 'endpoint_services').includes(service.id), `C's services filtered by ${JSON.stringify(query)}`)
        assert.equal(filtered.total_count, ids(filtered, 'endpoint_services').length)
      }

      const aEndpoints = await aSdk.listEndpoints({ limit: 1000 })
      assert.deepEqual([ids(aEndpoints, 'endpoints'), aEndpoints.total_count], [[], 0])
      const bEndpoints = await bSdk.listEndpoints({ limit: 1000 })
      assert.deepEqual([ids(bEndpoints, 'endpoints'), bEndpoints.total_count], [[endpoint.id], 1])
      const cEndpoints = await cSdk.listEndpoints({ limit: 1000 })
      assert.deepEqual([ids(cEndpoints, 'endpoints'), cEndpoints.total_count], [[cEndpoint.id], 1])
      for (const query of [{ id: endpoint.id }, { vpc_id: bVpc }, { endpoint_service_name: service.service_name }, { endpoint_service_name: 'isosvc' }]) {
        for (const sdk of [aSdk, cSdk]) {
          const filtered = await sdk.listEndpoints(query)
          assert.deepEqual([filtered.endpoints, filtered.total_count], [[], 0], `foreign endpoints filtered by ${JSON.stringify(query)}`)
        }
      }

      const aConnections = await aSdk.listServiceConnections(service.id, { limit: 1000 })
      assert.deepEqual([ids(aConnections, 'connections'), aConnections.total_count], [[endpoint.id], 1])
      const cConnections = await cSdk.listServiceConnections(cService.id, { limit: 1000 })
      assert.deepEqual([ids(cConnections, 'connections'), cConnections.total_count], [[cEndpoint.id], 1])

      const aWhitelist = await aSdk.listServicePermissionsDetails(service.id, { limit: 500 })
      assert.deepEqual(ids(aWhitelist, 'permissions').sort(), records.map((r) => r.id).sort())
      const cWhitelist = await cSdk.listServicePermissionsDetails(cService.id, { limit: 500 })
      assert.deepEqual(cWhitelist.permissions.map((p: any) => p.permission), ['iam:domain::def456'])
    })

    it('the consumer sees its own endpoint but nothing of the provider side', async () => {
      const own = await bSdk.listEndpointInfoDetails(endpoint.id)
      assert.equal(own.endpoint_service_id, service.id)
      assert.equal(own.endpoint_service_name, service.service_name)
      assert.equal(own.status, 'pendingAcceptance')
      assert.equal(own.project_id, b.projectId)
      await assertInvisible(serviceProbes(bSdk), service.id, [404, 'EndPoint.0005'])
      assert.deepEqual(await snapshot(), baseline)
    })

    it("the provider sees the consumer's domain_id in connections and nothing else of it", async () => {
      const { connections } = await aSdk.listServiceConnections(service.id)
      assert.equal(connections.length, 1)
      const connection = connections[0]
      assert.deepEqual(Object.keys(connection).sort(), ['created_at', 'description', 'domain_id', 'id', 'marker_id', 'status', 'updated_at'])
      assert.equal(connection.id, endpoint.id)
      assert.equal(connection.domain_id, b.domainId)
      assert.equal(connection.marker_id, endpoint.marker_id)
      assert.equal(connection.status, 'pendingAcceptance')
      const providerView = JSON.stringify(await snapshotOfProvider())
      for (const secret of [b.projectId, bVpc, bSubnet, endpoint.ip, b.accessKey, b.domainName]) {
        assert.ok(!providerView.includes(secret), `the provider's reads do not reveal ${secret}`)
      }
      // The endpoint resource itself stays the consumer's.
      await assertInvisible(endpointProbes(aSdk), endpoint.id, [404, 'EndPoint.2006'])
      assert.deepEqual(await snapshot(), baseline)
    })

    async function snapshotOfProvider() {
      return {
        service: await aSdk.listServiceDetails(service.id),
        services: await aSdk.listEndpointService({ limit: 1000 }),
        connections: await aSdk.listServiceConnections(service.id, { limit: 1000 }),
        connection: await aSdk.listServiceConnections(service.id, { id: endpoint.id }),
        endpoints: await aSdk.listEndpoints({ limit: 1000 }),
      }
    }

    it("a request with one account's credentials on another account's project is forbidden", async () => {
      const aOnB = sdkClient(server.url, { accessKey: a.accessKey, secretKey: a.secretKey, projectId: b.projectId })
      const cOnA = sdkClient(server.url, { accessKey: c.accessKey, secretKey: c.secretKey, projectId: a.projectId })
      const forbidden: [number, string] = [403, 'EndPoint.0004']
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['ListEndpoints', () => aOnB.listEndpoints()],
        ['ListEndpointInfoDetails', () => aOnB.listEndpointInfoDetails(endpoint.id)],
        ['DeleteEndpoint', () => aOnB.deleteEndpoint(endpoint.id)],
        ['CreateEndpoint', () => aOnB.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: randomUUID() })],
        ['ListEndpointService', () => aOnB.listEndpointService()],
        ['CreateEndpointService', () => aOnB.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 1, server_port: 1 }] })],
        ['C: ListServiceDetails', () => cOnA.listServiceDetails(service.id)],
        ['C: DeleteEndpointService', () => cOnA.deleteEndpointService(service.id)],
        ['C: ListServicePermissionsDetails', () => cOnA.listServicePermissionsDetails(service.id)],
        ['C: AddOrRemoveServicePermissions', () => cOnA.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['*'] })],
        ['C: BatchAddEndpointServicePermissions', () => cOnA.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: '*' }] })],
        ['C: BatchRemoveEndpointServicePermissions', () => cOnA.batchRemoveEndpointServicePermissions(service.id, { permissions: [{ id: records[0]!.id }] })],
        ['C: ListServiceConnections', () => cOnA.listServiceConnections(service.id)],
        ['C: AcceptOrRejectEndpoint', () => cOnA.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [endpoint.id] })],
      ]
      for (const [name, call] of calls) {
        const e = await sdkError(call())
        assert.deepEqual([e.httpStatusCode, e.errorCode], forbidden, name)
        assert.ok(e.requestId, `${name} carries a request id`)
      }
      assert.deepEqual(await snapshot(), baseline)
    })
  })
}
