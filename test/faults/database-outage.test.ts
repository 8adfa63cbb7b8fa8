import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { findPostgresBin, startCluster } from '../../scripts/pg-cluster.mjs'
import { eventually, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'

// Its own cluster, because this test stops PostgreSQL under a running server.
describe('PostgreSQL outage: bounded 503s, nothing half-written, recovery without a restart [postgres only]', { skip: findPostgresBin() ? false : 'PostgreSQL is not installed' }, () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>
  let server: TestServer
  let sdk: TestVpcepClient

  before(async () => {
    cluster = await startCluster()
    server = await startServer(cluster.url)
    sdk = sdkClient(server.url, await server.account('outage'))
  })
  after(async () => {
    await server?.stop()
    cluster?.stop()
  })

  it('answers 503 EndPoint.0001 quickly while the database is down and recovers when it returns', async () => {
    const before = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })
    cluster.pause()
    try {
      for (const call of [() => sdk.listEndpointService(), () => sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'LB', ports: [{ client_port: 81, server_port: 81 }] })]) {
        const started = Date.now()
        const error = await sdkError(call())
        assert.deepEqual([error.httpStatusCode, error.errorCode], [503, 'EndPoint.0001'])
        assert.ok(Date.now() - started < 6000, 'answered within the connection timeout')
      }
      const ready = await httpRequest(`${server.url}/readyz`)
      assert.equal(ready.status, 503)
      assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200, 'the process itself stays alive')
    } finally {
      cluster.resume()
    }
    assert.equal((await httpRequest(`${server.url}/readyz`)).status, 200)
    const list = await sdk.listEndpointService()
    // Exactly the service created before the outage: the refused create left nothing behind.
    assert.deepEqual(list.endpoint_services.map((s: { id: string }) => s.id), [before.id])
    // The reconciler's runs failed during the outage; the pending transition still happens afterwards.
    await eventually(async () => ((await sdk.listServiceDetails(before.id)).status === 'available' ? true : undefined), 'service available after the outage')
  })
})
