import { after, afterEach, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { assertError } from '../helpers/errors.ts'
import { ManualClock } from '../helpers/fixtures.ts'

const TOKEN = 'admin-token-for-tests-0123456789'
const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

for (const dialect of dialects()) {
  describe(`admin API for users' own tests [${dialect}]`, () => {
    let server: TestServer
    let sdk: TestVpcepClient
    // Frozen by the tests that count time; the reconciler is then run by hand (runOnce) at chosen instants.
    const clock = new ManualClock()
    const statusOf = async (serviceId: string) => (await sdk.listServiceDetails(serviceId)).status

    const admin = (method: string, path: string, body?: unknown, token = TOKEN) =>
      httpRequest(`${server.url}/admin/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { 'x-admin-token': token } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    const createService = () => sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }], approval_enabled: false })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { adminToken: TOKEN }, clock)
      sdk = sdkClient(server.url, await server.account('admin'))
    })
    after(() => server.stop())
    afterEach(() => clock.unfreeze())

    it('refuses calls without the admin token', async () => {
      const needsToken = / The admin API needs the X-Admin-Token header\.$/
      assertError(await admin('GET', '/transitions', undefined, ''), 401, 'EndPoint.0003', needsToken)
      assertError(await admin('GET', '/transitions', undefined, 'x'.repeat(TOKEN.length)), 401, 'EndPoint.0003', needsToken)
    })

    it('holds transitions in manual mode until advanced, then runs them', async () => {
      const set = await admin('PUT', '/transitions/endpoint_service', { mode: 'manual' })
      assert.equal(set.status, 200)
      assert.deepEqual(set.json.endpoint_service, { mode: 'manual', delay_ms: 0 })
      const service = await createService()
      // Ten minutes later (the SDK signs with real time: within the 15-minute window), with the reconciler
      // run at that instant, the service still waits for its advance.
      clock.step(10 * 60 * 1000)
      await server.app.reconciler.runOnce()
      assert.equal(await statusOf(service.id), 'creating')
      const advanced = await admin('POST', `/endpoint_service/${service.id}/advance`)
      assert.deepEqual([advanced.status, advanced.json.status], [200, 'creating'])
      await server.app.reconciler.runOnce()
      assert.equal(await statusOf(service.id), 'available')
      const again = await admin('POST', `/endpoint_service/${service.id}/advance`)
      assertError(again, 400, 'EndPoint.0002', / The endpoint_service is available; only creating and deleting resources have a transition to advance\.$/)
      assert.equal((await admin('DELETE', '/transitions')).json.endpoint_service.mode, 'timed')
    })

    it('runs timed transitions after their own delay', async () => {
      const set = await admin('PUT', '/transitions/endpoint_service', { mode: 'timed', delay_ms: 300 })
      assert.deepEqual([set.status, set.json.endpoint_service], [200, { mode: 'timed', delay_ms: 300 }])
      clock.freeze()
      const service = await createService()
      clock.step(299)
      await server.app.reconciler.runOnce()
      assert.equal(await statusOf(service.id), 'creating', '1 ms before its delay')
      clock.step(1)
      await server.app.reconciler.runOnce()
      assert.equal(await statusOf(service.id), 'available', 'at its delay')
      await admin('DELETE', '/transitions')
    })

    it('injects failed states with their error entries, seen by provider and consumer alike', async () => {
      const failedService = await createService()
      const failed = await admin('POST', `/endpoint_service/${failedService.id}/fail`, { errors: [{ code: 'VPC.0001', message: 'no capacity' }] })
      assert.deepEqual([failed.status, failed.json.status], [200, 'failed'])
      const shown = await sdk.listServiceDetails(failedService.id)
      assert.equal(shown.status, 'failed')
      assert.deepEqual(shown.error, [{ code: 'VPC.0001', message: 'no capacity' }])

      const service = await createService()
      await eventually(async () => ((await sdk.listServiceDetails(service.id)).status === 'available' ? true : undefined), 'service')
      const endpoint = await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      await admin('POST', `/endpoint/${endpoint.id}/fail`, { errors: [{ code: 'EP.1', message: 'port allocation failed' }] })
      const details = await sdk.listEndpointInfoDetails(endpoint.id)
      assert.equal(details.status, 'failed')
      assert.deepEqual(details.error, [{ error_code: 'EP.1', error_message: 'port allocation failed' }])
      const connections = await sdk.listServiceConnections(service.id, { status: 'failed' })
      assert.equal(connections.total_count, 1)
      assert.deepEqual(connections.connections[0].error, [{ error_code: 'EP.1', error_message: 'port allocation failed' }])
      // A failed endpoint can still be deleted, and a failed service too.
      assert.equal((await sdk.deleteEndpoint(endpoint.id)).httpStatusCode, 204)
      assert.equal((await sdk.deleteEndpointService(failedService.id)).httpStatusCode, 204)
      const unknown = randomUUID()
      assertError(await admin('POST', `/endpoint/${unknown}/fail`, { errors: [{ code: 'X', message: 'y' }] }), 404, 'EndPoint.2006', new RegExp(` No endpoint ${unknown}\\.$`))
      assertError(await admin('POST', `/endpoint_service/${unknown}/fail`, { errors: [{ code: 'X', message: 'y' }] }), 404, 'EndPoint.0005', new RegExp(` No endpoint_service ${unknown}\\.$`))
    })

    it('answers readiness with the database', async () => {
      const ready = await httpRequest(`${server.url}/readyz`)
      assert.deepEqual([ready.status, ready.json.status, ready.json.database], [200, 'ready', dialect])
    })
  })

  describe(`admin API switched off [${dialect}]`, () => {
    it('does not exist without VPCEP_ADMIN_TOKEN', async () => {
      const server = await startServer(await freshDatabaseUrl(dialect))
      try {
        const res = await httpRequest(`${server.url}/admin/v1/transitions`, { headers: { 'x-admin-token': TOKEN } })
        assertError(res, 404, 'EndPoint.0005')
      } finally {
        await server.stop()
      }
    })
  })
}
