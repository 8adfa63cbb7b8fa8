import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { signedRequest, type SignedRequestOptions } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'

function serviceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...overrides }
}

for (const dialect of dialects()) {
  describe(`error envelope and validation [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    let serviceId: string
    const base = () => `/v1/${account.projectId}`
    const send = (options: SignedRequestOptions) => signedRequest(server.url, account, options)
    const createService = (body: unknown) => send({ method: 'POST', path: `${base()}/vpc-endpoint-services`, body })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      account = await server.account('errors')
      const created = await createService(serviceBody())
      assert.equal(created.status, 200, created.text)
      serviceId = created.json.id
    })
    after(() => server.stop())

    describe('bodies', () => {
      it('answers malformed JSON (correctly signed over its raw bytes) with 400 EndPoint.0002', async () => {
        const res = await send({ method: 'POST', path: `${base()}/vpc-endpoint-services`, rawBody: '{"port_id": "abc", ' })
        assertError(res, 400, 'EndPoint.0002')
      })

      it('authenticates before it complains about the body (unsigned malformed JSON is 401)', async () => {
        const res = await httpRequest(`${server.url}${base()}/vpc-endpoint-services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })
        assertError(res, 401, 'EndPoint.0003')
      })

      it('answers a non-JSON content type with a body with 400 EndPoint.0002', async () => {
        const res = await send({ method: 'POST', path: `${base()}/vpc-endpoint-services`, headers: { 'content-type': 'text/plain' }, body: serviceBody() })
        const body = assertError(res, 400, 'EndPoint.0002')
        assert.match(body.error_msg, /content-type/i)
        const form = await send({ method: 'POST', path: `${base()}/vpc-endpoint-services`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: 'port_id=x' })
        assertError(form, 400, 'EndPoint.0002')
      })

      it('answers a POST without a body with 400 EndPoint.0002', async () => {
        const res = await send({ method: 'POST', path: `${base()}/vpc-endpoint-services` })
        assertError(res, 400, 'EndPoint.0002')
      })

      it('answers a body over 1 MiB with 413 EndPoint.0002', async () => {
        const res = await send({ method: 'POST', path: `${base()}/vpc-endpoint-services`, body: serviceBody({ description: 'x'.repeat(1024 * 1024 + 16) }) })
        const body = assertError(res, 413, 'EndPoint.0002')
        assert.equal(body.error_msg, 'Parameter error. The request body is larger than 1 MiB.')
      })
    })

    describe('routing', () => {
      it('answers an unknown route with 404 EndPoint.0005', async () => {
        assertError(await send({ path: `${base()}/nope` }), 404, 'EndPoint.0005')
        assertError(await send({ path: `${base()}/vpc-endpoint-services/${serviceId}/nope` }), 404, 'EndPoint.0005')
        assertError(await httpRequest(`${server.url}/v1/${account.projectId}/nope`), 404, 'EndPoint.0005')
      })

      it('answers a wrong method on a real path with 405 EndPoint.0002 and an Allow header', async () => {
        const res = await send({ method: 'PATCH', path: `${base()}/vpc-endpoints`, body: {} })
        assert.equal(assertError(res, 405, 'EndPoint.0002').error_msg, 'Parameter error. Method PATCH is not allowed here; use GET, POST.')
        const allow = String(res.headers.allow).split(/,\s*/).sort()
        assert.deepEqual(allow, ['GET', 'POST'])
        const del = await send({ method: 'DELETE', path: `${base()}/vpc-endpoint-services` })
        assert.equal(assertError(del, 405, 'EndPoint.0002').error_msg, 'Parameter error. Method DELETE is not allowed here; use GET, POST.')
        assert.deepEqual(String(del.headers.allow).split(/,\s*/).sort(), ['GET', 'POST'])
        const put = await send({ method: 'PUT', path: `${base()}/vpc-endpoint-services/${serviceId}/connections/action`, body: {} })
        assert.equal(assertError(put, 405, 'EndPoint.0002').error_msg, 'Parameter error. Method PUT is not allowed here; use POST.')
        assert.deepEqual(String(put.headers.allow).split(/,\s*/), ['POST'])
      })

      it('answers version discovery without credentials; unknown versions are 404', async () => {
        const root = await httpRequest(`${server.url}/`)
        assert.equal(root.status, 200, root.text)
        assert.ok(root.headers['x-request-id'])
        assert.ok(root.json.versions.some((v: { id: string }) => v.id === 'v1'))
        const v1 = await httpRequest(`${server.url}/v1`)
        assert.equal(v1.status, 200, v1.text)
        assert.equal(v1.json.version.id, 'v1')
        assert.equal(v1.json.version.status, 'CURRENT')
        assertError(await httpRequest(`${server.url}/v9`), 404, 'EndPoint.0005')
      })
    })

    describe('body validation', () => {
      it('names a missing required field', async () => {
        for (const field of ['vpc_id', 'port_id', 'server_type', 'ports']) {
          const body = serviceBody()
          delete body[field]
          const error = assertError(await createService(body), 400, 'EndPoint.0002')
          assert.ok(error.error_msg.includes(field), `"${error.error_msg}" names ${field}`)
        }
        const nested = assertError(await createService(serviceBody({ ports: [{ client_port: 80 }] })), 400, 'EndPoint.0002')
        assert.match(nested.error_msg, /server_port/)
      })

      it('refuses a wrong JSON type (approval_enabled: "true")', async () => {
        const error = assertError(await createService(serviceBody({ approval_enabled: 'true' })), 400, 'EndPoint.0002')
        assert.match(error.error_msg, /approval_enabled/)
        assertError(await createService(serviceBody({ ports: [{ client_port: '8080', server_port: 80 }] })), 400, 'EndPoint.3043')
      })

      it('ignores an unknown body field but still refuses a bad known one beside it', async () => {
        const created = await createService(serviceBody({ bogus_field: 1 }))
        assert.equal(created.status, 200)
        assert.equal('bogus_field' in created.json, false)
        const error = assertError(await createService(serviceBody({ bogus_field: 1, approval_enabled: 'yes' })), 400, 'EndPoint.0002')
        assert.match(error.error_msg, /approval_enabled/)
      })

      it('refuses a bad port number with EndPoint.3043', async () => {
        assertError(await createService(serviceBody({ ports: [{ client_port: 70000, server_port: 80 }] })), 400, 'EndPoint.3043')
        assertError(await createService(serviceBody({ ports: [{ client_port: 80, server_port: 0 }] })), 400, 'EndPoint.3043')
      })

      it('refuses protocol SCTP with EndPoint.3075', async () => {
        assertError(await createService(serviceBody({ ports: [{ client_port: 80, server_port: 80, protocol: 'SCTP' }] })), 400, 'EndPoint.3075')
      })

      it("refuses server_type 'X' with EndPoint.3021", async () => {
        assertError(await createService(serviceBody({ server_type: 'X' })), 400, 'EndPoint.3021')
      })

      it('refuses a service_name with a dot or of 17 characters with EndPoint.3076', async () => {
        assertError(await createService(serviceBody({ service_name: 'my.service' })), 400, 'EndPoint.3076')
        assertError(await createService(serviceBody({ service_name: 'a'.repeat(17) })), 400, 'EndPoint.3076')
        const ok = await createService(serviceBody({ service_name: 'A_b-1'.padEnd(16, 'z') }))
        assert.equal(ok.status, 200, ok.text)
      })

      it('refuses more than 200 ports with EndPoint.3074', async () => {
        const ports = Array.from({ length: 201 }, (_, i) => ({ client_port: 1000 + i, server_port: 2000 + i, protocol: 'TCP' }))
        assertError(await createService(serviceBody({ ports })), 400, 'EndPoint.3074')
      })

      it('refuses a port_id that is not a UUID with EndPoint.3003', async () => {
        assertError(await createService(serviceBody({ port_id: 'not-a-uuid' })), 400, 'EndPoint.3003')
      })
    })

    describe('list query validation', () => {
      const list = (query: Record<string, string | number>) => send({ path: `${base()}/vpc-endpoint-services`, query })

      it('accepts the boundary values (limit 1 and 1000, offset 0)', async () => {
        const boundaries: Array<Record<string, number>> = [{ limit: 1 }, { limit: 1000 }, { offset: 0 }]
        for (const query of boundaries) {
          const res = await list(query)
          assert.equal(res.status, 200, `${JSON.stringify(query)}: ${res.text}`)
        }
      })

      it('refuses limit 0 and 1001 with EndPoint.0006', async () => {
        assertError(await list({ limit: 0 }), 400, 'EndPoint.0006')
        assertError(await list({ limit: 1001 }), 400, 'EndPoint.0006')
        assertError(await list({ limit: 'ten' }), 400, 'EndPoint.0006')
      })

      it('refuses offset -1 with EndPoint.0010', async () => {
        assertError(await list({ offset: -1 }), 400, 'EndPoint.0010')
      })

      it('refuses sort_key=created_at with EndPoint.0017 and sort_dir=up with EndPoint.0018', async () => {
        assertError(await list({ sort_key: 'created_at' }), 400, 'EndPoint.0017')
        assertError(await list({ sort_dir: 'up' }), 400, 'EndPoint.0018')
      })

      it('refuses status=bogus on the services list with EndPoint.0019', async () => {
        assertError(await list({ status: 'bogus' }), 400, 'EndPoint.0019')
      })

      it('refuses limit 501 on the permissions list with EndPoint.0006', async () => {
        assertError(await send({ path: `${base()}/vpc-endpoint-services/${serviceId}/permissions`, query: { limit: 501 } }), 400, 'EndPoint.0006')
      })

      it('validates the endpoints list the same way', async () => {
        const path = `${base()}/vpc-endpoints`
        assertError(await send({ path, query: { limit: 0 } }), 400, 'EndPoint.0006')
        assertError(await send({ path, query: { offset: -1 } }), 400, 'EndPoint.0010')
        assertError(await send({ path, query: { sort_key: 'created_at' } }), 400, 'EndPoint.0017')
        assertError(await send({ path, query: { sort_dir: 'up' } }), 400, 'EndPoint.0018')
      })
    })
  })
}
