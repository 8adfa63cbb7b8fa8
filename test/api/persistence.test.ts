import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { signedRequest } from '../helpers/signed.ts'
import { httpRequest } from '../helpers/http.ts'
import { openStore } from '../../src/store/database.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

function serviceBody(extra: Record<string, unknown> = {}) {
  return { port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...extra }
}

async function settledService(sdk: TestVpcepClient, id: string) {
  return eventually(async () => {
    const s = await sdk.listServiceDetails(id)
    return s.status === 'available' ? s : undefined
  }, `service ${id} available`)
}

for (const dialect of dialects()) {
  describe(`persistence across restarts [${dialect}]`, () => {
    // Every test may leave a server running when it fails; stop whatever is still up.
    const running = new Set<TestServer>()
    async function start(url: string, overrides: Parameters<typeof startServer>[1] = {}): Promise<TestServer> {
      const server = await startServer(url, overrides)
      running.add(server)
      return server
    }
    async function stop(server: TestServer): Promise<void> {
      running.delete(server)
      await server.stop()
    }
    after(async () => {
      for (const server of running) await server.stop()
      running.clear()
    })

    it('keeps services, whitelist records, endpoints and credentials over a restart', async () => {
      const url = await freshDatabaseUrl(dialect)
      const first = await start(url)
      const provider = await first.account('keeper')
      const consumer = await first.account('visitor')
      const providerSdk = sdkClient(first.url, provider)
      const consumerSdk = sdkClient(first.url, consumer)

      const created = await providerSdk.createEndpointService(serviceBody({ service_name: 'kept', tags: [{ key: 'k', value: 'v' }] }))
      const service = await settledService(providerSdk, created.id)
      const added = await providerSdk.batchAddEndpointServicePermissions(created.id, { permissions: [{ permission: `iam:domain::${consumer.domainId}`, description: 'the consumer' }] })
      const permission = added.permissions[0]
      const endpoint = await consumerSdk.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET })
      const pending = await eventually(async () => {
        const e = await consumerSdk.listEndpointInfoDetails(endpoint.id)
        return e.status === 'pendingAcceptance' ? e : undefined
      }, 'endpoint pendingAcceptance')
      const token = await httpRequest(`${first.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: { methods: ['password'], password: { user: { name: provider.userName, password: provider.password, domain: { name: provider.domainName } } } },
            scope: { project: { id: provider.projectId } },
          },
        }),
      })
      assert.equal(token.status, 201, token.text)
      const subjectToken = token.headers['x-subject-token'] as string

      await stop(first)

      const second = await start(url)
      const providerAgain = sdkClient(second.url, provider)
      const consumerAgain = sdkClient(second.url, consumer)

      const serviceAfter = await providerAgain.listServiceDetails(created.id)
      assert.equal(serviceAfter.id, service.id)
      assert.equal(serviceAfter.status, 'available')
      assert.equal(serviceAfter.service_name, `cn-north-4.kept.${created.id}`)
      assert.equal(serviceAfter.port_id, created.port_id)
      assert.deepEqual(serviceAfter.ports, service.ports)
      assert.deepEqual(serviceAfter.tags, [{ key: 'k', value: 'v' }])
      assert.equal(serviceAfter.created_at, service.created_at)
      assert.equal(serviceAfter.approval_enabled, true)
      const listed = await providerAgain.listEndpointService()
      assert.deepEqual(listed.endpoint_services.map((s: { id: string }) => s.id), [created.id])

      const permissions = await providerAgain.listServicePermissionsDetails(created.id)
      assert.equal(permissions.total_count, 1)
      assert.equal(permissions.permissions[0].id, permission.id)
      assert.equal(permissions.permissions[0].permission, `iam:domain::${consumer.domainId}`)
      assert.equal(permissions.permissions[0].permission_type, 'domainId')
      assert.equal(permissions.permissions[0].created_at, permission.created_at)

      const endpointAfter = await consumerAgain.listEndpointInfoDetails(endpoint.id)
      assert.equal(endpointAfter.id, endpoint.id)
      assert.equal(endpointAfter.status, 'pendingAcceptance')
      assert.equal(endpointAfter.marker_id, pending.marker_id)
      assert.equal(endpointAfter.marker_id, endpoint.marker_id)
      assert.equal(endpointAfter.ip, endpoint.ip)
      assert.equal(endpointAfter.endpoint_service_id, created.id)
      assert.equal(endpointAfter.endpoint_service_name, service.service_name)

      const connections = await providerAgain.listServiceConnections(created.id)
      assert.equal(connections.total_count, 1)
      assert.equal(connections.connections[0].id, endpoint.id)
      assert.equal(connections.connections[0].marker_id, endpoint.marker_id)
      assert.equal(connections.connections[0].domain_id, consumer.domainId)

      // The state machine carries on where it was: the provider accepts after the restart.
      const accepted = await providerAgain.acceptOrRejectEndpoint(created.id, { action: 'receive', endpoints: [endpoint.id] })
      assert.equal(accepted.connections[0].status, 'accepted')
      assert.equal((await consumerAgain.listEndpointInfoDetails(endpoint.id)).status, 'accepted')

      // Credentials created through the first server's store still work: AK/SK, token and password.
      const raw = await signedRequest(second.url, consumer, { path: `/v1/${consumer.projectId}/vpc-endpoints` })
      assert.equal(raw.status, 200, raw.text)
      assert.equal(raw.json.total_count, 1)
      const withToken = await httpRequest(`${second.url}/v1/${provider.projectId}/vpc-endpoint-services`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': subjectToken } })
      assert.equal(withToken.status, 200, withToken.text)
      assert.equal(withToken.json.total_count, 1)
      const wrong = await sdkError(sdkClient(second.url, { ...consumer, secretKey: provider.secretKey }).listEndpoints())
      assert.equal(wrong.httpStatusCode, 401)

      // Newly created endpoints get a fresh marker_id and IP, not a reused one.
      const another = await consumerAgain.createEndpoint({ endpoint_service_id: created.id, vpc_id: VPC, subnet_id: SUBNET })
      assert.notEqual(another.id, endpoint.id)
      assert.notEqual(another.marker_id, endpoint.marker_id)
      assert.notEqual(another.ip, endpoint.ip)

      await stop(second)
    })

    it('keeps a long provisioning delay: the service stays creating', async () => {
      const url = await freshDatabaseUrl(dialect)
      const server = await start(url, { provisionDelayMs: 60_000 })
      const account = await server.account('slow')
      const sdk = sdkClient(server.url, account)
      const created = await sdk.createEndpointService(serviceBody())
      assert.equal(created.status, 'creating')
      // A reconciler run now finds nothing due.
      assert.equal(await server.app.reconciler.runOnce(), 0)
      assert.equal((await sdk.listServiceDetails(created.id)).status, 'creating')
      await stop(server)
    })

    it('resumes a pending transition after a restart', async () => {
      const url = await freshDatabaseUrl(dialect)
      const first = await start(url, { provisionDelayMs: 300 })
      const account = await first.account('resume')
      const created = await sdkClient(first.url, account).createEndpointService(serviceBody())
      assert.equal(created.status, 'creating')
      await stop(first)

      // Between the two servers the transition is still pending in the database.
      const store = await openStore(url)
      try {
        const row = await store.db.selectFrom('endpointServices').select(['status', 'transitionDueAt']).where('id', '=', created.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'creating')
        assert.ok(row.transitionDueAt, 'a due time is stored')
      } finally {
        await store.close()
      }

      const second = await start(url)
      const sdk = sdkClient(second.url, account)
      const available = await eventually(async () => {
        const s = await sdk.listServiceDetails(created.id)
        return s.status === 'available' ? s : undefined
      }, 'service available after restart')
      assert.equal(available.id, created.id)
      await stop(second)
    })
  })
}
