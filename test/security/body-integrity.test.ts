import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { dialects, freshDatabaseUrl, security, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { signHeaders, signedRequest } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import { availableService, VPC } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * SECURITY.md: "the signature covers the body". A captured signature must not carry another body,
 * whatever X-Sdk-Content-Sha256 claims, and a body the signature does not cover is refused by default.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

for (const dialect of dialects()) {
  describe(`a signature covers the body it was made for [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let intruder: NewAccount
    let serviceId: string
    const permissionsPath = () => `/v1/${provider.projectId}/vpc-endpoint-services/${serviceId}/permissions`
    const listed = async () => (await sdkClient(server.url, provider).listServicePermissionsDetails(serviceId)).permissions.map((p: { permission: string }) => p.permission)

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      ;[provider, consumer, intruder] = await Promise.all([server.account('provider'), server.account('consumer'), server.account('intruder')])
      serviceId = (await availableService(sdkClient(server.url, provider))).id
    })
    after(() => server.stop())

    /** What the provider signed: adding the consumer to the whitelist. */
    const genuine = () => ({ permissions: [{ permission: `iam:domain::${consumer.domainId}`, description: 'consumer' }] })
    const swapped = () => JSON.stringify({ permissions: [{ permission: `iam:domain::${intruder.domainId}`, description: 'consumer' }] })

    it('refuses a swapped body that an unsigned X-Sdk-Content-Sha256 vouches for', async () => {
      const res = await signedRequest(server.url, provider, {
        method: 'POST',
        path: `${permissionsPath()}/batch-create`,
        body: genuine(),
        unsignedHeaders: { 'X-Sdk-Content-Sha256': sha256(JSON.stringify(genuine())) },
        sendBody: swapped(),
      })
      assertError(res, 401, 'EndPoint.0003', /signature does not match/)
      assert.deepEqual(await listed(), [], 'nobody was added')
    })

    it('refuses a swapped service definition the same way, and creates nothing', async () => {
      const signedFor = { port_id: '4189d3c2-8882-4871-a3c2-d380272eed88', vpc_id: VPC, server_type: 'VM', approval_enabled: true, ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }] }
      const res = await signedRequest(server.url, provider, {
        method: 'POST',
        path: `/v1/${provider.projectId}/vpc-endpoint-services`,
        body: signedFor,
        unsignedHeaders: { 'x-sdk-content-sha256': sha256(JSON.stringify(signedFor)) },
        sendBody: JSON.stringify({ ...signedFor, approval_enabled: false }),
      })
      assertError(res, 401, 'EndPoint.0003')
      const services = await sdkClient(server.url, provider).listEndpointService()
      assert.deepEqual(services.endpoint_services.map((s: { id: string }) => s.id), [serviceId])
    })

    it('refuses a signed X-Sdk-Content-Sha256 that is not the hash of the body received', async () => {
      const res = await signedRequest(server.url, provider, {
        method: 'POST',
        path: `${permissionsPath()}/batch-create`,
        rawBody: JSON.stringify(genuine()),
        sendBody: swapped(),
      })
      assertError(res, 401, 'EndPoint.0003', /X-Sdk-Content-Sha256 does not match the body/)
      assert.deepEqual(await listed(), [])
    })

    it('refuses a signed X-Sdk-Content-Sha256 that is neither a SHA-256 nor UNSIGNED-PAYLOAD', async () => {
      const res = await signedRequest(server.url, provider, { path: permissionsPath(), headers: { 'X-Sdk-Content-Sha256': 'abc' } })
      assertError(res, 401, 'EndPoint.0003', /must be the hex SHA-256 of the body/)
    })

    it('refuses UNSIGNED-PAYLOAD by default, saying how an operator allows it', async () => {
      const res = await signedRequest(server.url, provider, {
        method: 'POST',
        path: `${permissionsPath()}/batch-create`,
        headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
        body: genuine(),
        sendBody: swapped(),
      })
      assertError(res, 401, 'EndPoint.0003', /UNSIGNED-PAYLOAD is refused.*VPCEP_ALLOW_UNSIGNED_PAYLOAD/)
      assert.deepEqual(await listed(), [])
    })

    it('accepts a signed X-Sdk-Content-Sha256 that is the body hash, in either case of hex', async () => {
      const body = JSON.stringify(genuine())
      const res = await signedRequest(server.url, provider, {
        method: 'POST',
        path: `${permissionsPath()}/batch-create`,
        headers: { 'X-Sdk-Content-Sha256': sha256(body).toUpperCase() },
        sendBody: body,
      })
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(await listed(), [`iam:domain::${consumer.domainId}`])
    })

    it('still answers other clients and the official SDK signer unchanged', async () => {
      assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200)
      assert.equal((await sdkClient(server.url, provider).listServiceDetails(serviceId)).httpStatusCode, 200)
    })
  })

  describe(`UNSIGNED-PAYLOAD when the operator allows it [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), security({ allowUnsignedPayload: true }))
      account = await server.account('unsigned')
    })
    after(() => server.stop())

    it('accepts a body the signature does not cover, and still checks the rest of the signature', async () => {
      const path = `/v1/${account.projectId}/vpc-endpoint-services`
      const body = { port_id: '4189d3c2-8882-4871-a3c2-d380272eed88', vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }] }
      const headers = signHeaders(server.url, account, { method: 'POST', path, headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body })
      const created = await httpRequest(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
      assert.equal(created.status, 200, created.text)
      const elsewhere = await httpRequest(`${server.url}${path}?limit=1`, { method: 'GET', headers })
      assertError(elsewhere, 401, 'EndPoint.0003', /signature does not match/)
    })
  })
}
