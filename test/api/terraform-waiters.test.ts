import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { GoClient } from '../helpers/go-client.ts'
import { ApprovalResource, EndpointResource, ServiceResource, type ServiceConfig } from '../helpers/terraform.ts'

/*
 * The provider's waiters against transitions held in the admin API's manual mode: every create and
 * delete passes through exactly the states the waiter lists as pending, then its target, and never
 * anything else (an endpoint being deleted answers `deleting` everywhere, never a stale `accepted`).
 */

const TOKEN = 'admin-token-for-terraform-waiters'
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

for (const dialect of dialects()) {
  describe(`Terraform provider waiters over held transitions [${dialect}]`, () => {
    let server: TestServer
    let go: GoClient
    let consumerGo: GoClient
    let services: ServiceResource
    let consumerEndpoints: EndpointResource
    let approvals: ApprovalResource

    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await httpRequest(`${server.url}/admin/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-admin-token': TOKEN }, body: body === undefined ? undefined : JSON.stringify(body) })
      assert.equal(res.status, 200, `${method} ${path}: ${res.text}`)
      return res.json
    }

    /**
     * Waits until the client has polled the resource it created (or deleted) at least twice after the
     * call matching `write` (sent at or after call number `from`), so its waiter has seen the held state, then makes the transition due.
     */
    async function advanceOnceSeen(client: GoClient, type: 'endpoint_service' | 'endpoint', write: (c: GoClient['calls'][number]) => boolean, idOf: (c: GoClient['calls'][number]) => string, from = client.calls.length): Promise<void> {
      const id = await eventually(async () => {
        const index = client.calls.findIndex((c, i) => i >= from && write(c))
        if (index < 0) return undefined
        const id = idOf(client.calls[index]!)
        return client.calls.slice(index + 1).filter((c) => c.method === 'GET' && c.path.endsWith(id)).length >= 2 ? id : undefined
      }, `${type} polled`)
      await admin('POST', `/${type}/${id}/advance`)
    }

    const created = (path: string) => (c: GoClient['calls'][number]) => c.method === 'POST' && c.path.endsWith(path) && c.status === 200
    const deleted = (id: string) => (c: GoClient['calls'][number]) => c.method === 'DELETE' && c.path.endsWith(id)

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { adminToken: TOKEN })
      const provider = await server.account('tfwait')
      const consumer = await server.account('tfwaitc')
      go = new GoClient(server.url, provider)
      consumerGo = new GoClient(server.url, consumer)
      services = new ServiceResource(go)
      consumerEndpoints = new EndpointResource(consumerGo)
      approvals = new ApprovalResource(go)
      await admin('PUT', '/transitions/endpoint_service', { mode: 'manual' })
      await admin('PUT', '/transitions/endpoint', { mode: 'manual' })
    })
    after(() => server.stop())

    const serviceConfig = (): ServiceConfig => ({ name: 'tfheld', server_type: 'VM', vpc_id: VPC, port_id: randomUUID(), port_mapping: [{ service_port: 8080, terminal_port: 80 }], approval: true, permissions: ['*'] })

    it('service and endpoint lifecycles: creating → target, deleting → gone, and a decision in between', async () => {
      const serviceCreate = services.create(serviceConfig())
      await advanceOnceSeen(go, 'endpoint_service', created('/vpc-endpoint-services'), (c) => c.response.id)
      const { state: service, seen: serviceSeen } = await serviceCreate
      assert.deepEqual(serviceSeen, ['creating', 'available'])

      const endpointCreate = consumerEndpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET })
      await advanceOnceSeen(consumerGo, 'endpoint', created('/vpc-endpoints'), (c) => c.response.id)
      const { state: endpoint, seen: endpointSeen } = await endpointCreate
      assert.deepEqual(endpointSeen, ['creating', 'pendingAcceptance'])

      // A decision takes effect in the answer itself: the approval waiter sees its target at once.
      assert.deepEqual(await approvals.act(service.id, 'receive', [endpoint.id]), [['accepted']])
      assert.deepEqual(await approvals.act(service.id, 'reject', [endpoint.id]), [['rejected']])
      assert.deepEqual(await approvals.act(service.id, 'receive', [endpoint.id]), [['accepted']])

      const beforeDelete = consumerGo.calls.length
      const endpointDelete = consumerEndpoints.delete(endpoint.id)
      await eventually(async () => (consumerGo.calls.some(deleted(endpoint.id)) ? true : undefined), 'delete sent')
      // While held, every view of the endpoint says deleting.
      assert.equal((await consumerEndpoints.get(endpoint.id)).status, 'deleting')
      const { endpoints: listed } = await consumerGo.request('GET', '/v1/{project_id}/vpc-endpoints', { query: { id: endpoint.id } })
      assert.deepEqual(listed.map((e: any) => e.status), ['deleting'])
      const { connections } = await go.request('GET', `/v1/{project_id}/vpc-endpoint-services/${service.id}/connections`, { query: { id: endpoint.id } })
      assert.deepEqual(connections.map((c: any) => c.status), ['deleting'])
      await advanceOnceSeen(consumerGo, 'endpoint', deleted(endpoint.id), () => endpoint.id, beforeDelete)
      assert.deepEqual(await endpointDelete, ['deleting', 'deleted'])

      const serviceDelete = services.delete(service.id)
      await advanceOnceSeen(go, 'endpoint_service', deleted(service.id), () => service.id)
      assert.deepEqual(await serviceDelete, ['deleting', 'deleted'])
    })

    it('a create that fails ends the waiter with the failed state, as the provider reports it', async () => {
      const serviceCreate = services.create(serviceConfig())
      await advanceOnceSeen(go, 'endpoint_service', created('/vpc-endpoint-services'), (c) => c.response.id)
      const { state: service } = await serviceCreate
      const from = consumerGo.calls.length
      const endpointCreate = consumerEndpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET })
      const id = await eventually(async () => consumerGo.calls.slice(from).find(created('/vpc-endpoints'))?.response.id as string | undefined, 'endpoint created')
      await admin('POST', `/endpoint/${id}/fail`, { errors: [{ code: 'EP.0001', message: 'no address left' }] })
      await assert.rejects(endpointCreate, /unexpected state 'failed'/)
      // A failed endpoint can be deleted, and its deletion is held like any other.
      const endpointDelete = consumerEndpoints.delete(id)
      await advanceOnceSeen(consumerGo, 'endpoint', deleted(id), () => id)
      assert.deepEqual(await endpointDelete, ['deleting', 'deleted'])
    })
  })
}
