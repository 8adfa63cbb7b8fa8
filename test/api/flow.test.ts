import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const PORT = '4189d3c2-8882-4871-a3c2-d380272eed88'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'
const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

for (const dialect of dialects()) {
  describe(`provider/consumer flow through the official SDK core [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let providerSdk: TestVpcepClient
    let consumerSdk: TestVpcepClient

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
    })
    after(() => server.stop())

    async function availableService(body: Record<string, unknown> = {}) {
      const created = await providerSdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...body })
      await eventually(async () => ((await providerSdk.listServiceDetails(created.id)).status === 'available' ? true : undefined), 'service available')
      return created
    }

    it('runs create service, whitelist, endpoint, accept, reject, batch-remove', async () => {
      const created = await providerSdk.createEndpointService({
        port_id: PORT,
        vpc_id: VPC,
        server_type: 'VM',
        service_name: 'demo',
        ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
      })
      assert.equal(created.httpStatusCode, 200)
      assert.equal(created.status, 'creating')
      assert.equal(created.approval_enabled, true)
      assert.equal(created.service_name, `cn-north-4.demo.${created.id}`)
      assert.match(created.created_at, WIRE_TIME)
      assert.deepEqual(created.tags, [])
      const service = await eventually(async () => {
        const s = await providerSdk.listServiceDetails(created.id)
        return s.status === 'available' ? s : undefined
      }, 'service available')
      assert.equal(service.connection_count, 0)

      // Not yet whitelisted: the consumer's account is refused.
      const refused = await sdkError(consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET }))
      assert.equal(refused.httpStatusCode, 400)
      assert.equal(refused.errorCode, 'EndPoint.2012')
      assert.ok(refused.requestId)

      const added = await providerSdk.batchAddEndpointServicePermissions(created.id, {
        permissions: [{ permission: `iam:domain::${consumer.domainId}`, description: 'consumer' }, { permission: 'iam:domain::abc123', description: 'other' }],
      })
      assert.equal(added.permissions.length, 2)
      assert.equal(added.permissions[0].permission_type, 'domainId')

      const endpoint = await consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET, tags: [{ key: 'env', value: 'test' }] })
      assert.equal(endpoint.status, 'creating')
      assert.ok(Number.isInteger(endpoint.marker_id) && endpoint.marker_id > 0 && endpoint.marker_id < 2 ** 31)
      assert.equal(endpoint.endpoint_service_name, service.service_name)
      assert.deepEqual(endpoint.tags, [{ key: 'env', value: 'test' }])
      assert.match(endpoint.ip, /^\d+\.\d+\.\d+\.\d+$/)

      const pending = await eventually(async () => {
        const e = await consumerSdk.listEndpointInfoDetails(endpoint.id)
        return e.status === 'pendingAcceptance' ? e : undefined
      }, 'endpoint pendingAcceptance')
      assert.equal(pending.marker_id, endpoint.marker_id)

      const connections = await providerSdk.listServiceConnections(created.id)
      assert.equal(connections.total_count, 1)
      assert.equal(connections.connections[0].domain_id, consumer.domainId)
      assert.equal(connections.connections[0].status, 'pendingAcceptance')

      const accepted = await providerSdk.acceptOrRejectEndpoint(created.id, { action: 'receive', endpoints: [endpoint.id] })
      assert.equal(accepted.connections.length, 1)
      assert.equal(accepted.connections[0].id, endpoint.id)
      assert.equal(accepted.connections[0].status, 'accepted')
      assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status, 'accepted')
      assert.equal((await providerSdk.listServiceDetails(created.id)).connection_count, 1)

      const again = await providerSdk.acceptOrRejectEndpoint(created.id, { action: 'receive', endpoints: [endpoint.id] })
      assert.equal(again.connections[0].status, 'accepted')

      const rejected = await providerSdk.acceptOrRejectEndpoint(created.id, { action: 'reject', endpoints: [endpoint.id] })
      assert.equal(rejected.connections[0].status, 'rejected')
      assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status, 'rejected')
      assert.equal((await providerSdk.listServiceDetails(created.id)).connection_count, 0)

      const removed = await providerSdk.batchRemoveEndpointServicePermissions(created.id, { permissions: added.permissions.map((p: any) => ({ id: p.id })) })
      assert.equal(removed.httpStatusCode, 200)
      assert.deepEqual(removed.permissions.map((p: any) => p.id).sort(), added.permissions.map((p: any) => p.id).sort())
      assert.equal((await providerSdk.listServicePermissionsDetails(created.id)).total_count, 0)
      // The existing connection keeps its state; only new endpoints are refused.
      assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status, 'rejected')
      assert.equal((await sdkError(consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET }))).errorCode, 'EndPoint.2012')

      const deleted = await consumerSdk.deleteEndpoint(endpoint.id)
      assert.equal(deleted.httpStatusCode, 204)
      await eventually(async () => {
        const e = await sdkError(consumerSdk.listEndpointInfoDetails(endpoint.id)).catch(() => undefined)
        return e?.httpStatusCode === 404 ? e : undefined
      }, 'endpoint gone')

      assert.equal((await providerSdk.deleteEndpointService(created.id)).httpStatusCode, 204)
      const gone = await eventually(async () => {
        const e = await sdkError(providerSdk.listServiceDetails(created.id)).catch(() => undefined)
        return e?.httpStatusCode === 404 ? e : undefined
      }, 'service gone')
      assert.equal(gone.errorCode, 'EndPoint.0005')
    })

    it('accepts at once when approval is off, and the owner may always connect', async () => {
      const service = await availableService({ approval_enabled: false })
      const own = await providerSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      const settled = await eventually(async () => {
        const e = await providerSdk.listEndpointInfoDetails(own.id)
        return e.status === 'creating' ? undefined : e
      }, 'endpoint settled')
      assert.equal(settled.status, 'accepted')
      const inUse = await sdkError(providerSdk.deleteEndpointService(service.id))
      assert.equal(inUse.errorCode, 'EndPoint.3006')
    })

    it('refuses accept/reject errors with the documented codes', async () => {
      const service = await availableService()
      await providerSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['*'] })
      const endpoint = await consumerSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      await eventually(async () => ((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status === 'pendingAcceptance' ? true : undefined), 'pending')

      const badAction = await sdkError(providerSdk.acceptOrRejectEndpoint(service.id, { action: 'accept', endpoints: [endpoint.id] }))
      assert.deepEqual([badAction.httpStatusCode, badAction.errorCode], [400, 'EndPoint.0007'])
      const two = await sdkError(providerSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [endpoint.id, endpoint.id] }))
      assert.deepEqual([two.httpStatusCode, two.errorCode], [400, 'EndPoint.2031'])
      const none = await sdkError(providerSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [] }))
      assert.equal(none.errorCode, 'EndPoint.2031')
      const foreign = await sdkError(providerSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: ['705290f3-0d00-41f2-aedc-71f09844e879'] }))
      assert.deepEqual([foreign.httpStatusCode, foreign.errorCode], [400, 'EndPoint.2013'])
      // The consumer does not own the service: it is invisible to it.
      const notOwner = await sdkError(consumerSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [endpoint.id] }))
      assert.deepEqual([notOwner.httpStatusCode, notOwner.errorCode], [404, 'EndPoint.0005'])
      assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).status, 'pendingAcceptance')
      const missingField = await sdkError(providerSdk.acceptOrRejectEndpoint(service.id, { action: 'receive' }))
      assert.equal(missingField.errorCode, 'EndPoint.0002')
      assert.match(missingField.errorMsg, /endpoints/)
    })
  })
}
