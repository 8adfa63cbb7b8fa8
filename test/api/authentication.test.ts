import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest, type HttpResult } from '../helpers/http.ts'
import { sdkDate, signHeaders, signedOver, signedRequest } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const MINUTE = 60 * 1000

function passwordBody(account: NewAccount, overrides: { password?: string; projectId?: string } = {}) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: account.userName, password: overrides.password ?? account.password, domain: { name: account.domainName } } },
      },
      scope: { project: { id: overrides.projectId ?? account.projectId } },
    },
  }
}

for (const dialect of dialects()) {
  describe(`authentication: AK/SK signatures and tokens [${dialect}]`, () => {
    let server: TestServer
    let alice: NewAccount
    let bob: NewAccount
    const services = (a: NewAccount) => `/v1/${a.projectId}/vpc-endpoint-services`
    const serviceBody = () => ({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80 }] })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      alice = await server.account('alice')
      bob = await server.account('bob')
    })
    after(() => server.stop())

    describe('AK/SK', () => {
      it('accepts a correctly signed GET and POST', async () => {
        const list = await signedRequest(server.url, alice, { path: services(alice), query: { sort_dir: 'asc', sort_key: 'update_at' } })
        assert.equal(list.status, 200, list.text)
        assert.equal(list.json.total_count, 0)
        assert.ok(list.headers['x-request-id'])

        const created = await signedRequest(server.url, alice, { method: 'POST', path: services(alice), body: serviceBody() })
        assert.equal(created.status, 200, created.text)
        assert.equal(created.json.project_id, alice.projectId)
        assert.equal(created.json.domain_id, alice.domainId)
        assert.ok(created.headers['x-request-id'])
      })

      it("accepts a query with spaces and *()!' signed by the SDK and sent in querystring form", async () => {
        const res = await signedRequest(server.url, alice, { path: services(alice), query: { endpoint_service_name: "it's (a) *b* !", sort_dir: 'desc' } })
        assert.equal(res.status, 200, res.text)
        assert.equal(res.json.total_count, 0)
      })

      it('accepts numeric query parameters (limit, offset) as the SDK sends them', async () => {
        const res = await signedRequest(server.url, alice, { path: services(alice), query: { limit: 5, offset: 0 } })
        assert.equal(res.status, 200, res.text)
        assert.equal(typeof res.json.total_count, 'number')
      })

      it('refuses a wrong SK', async () => {
        const res = await signedRequest(server.url, { ...alice, secretKey: `${alice.secretKey}x` }, { path: services(alice) })
        assertError(res, 401, 'EndPoint.0003')
      })

      it('refuses a body changed after signing', async () => {
        const body = serviceBody()
        const res = await signedRequest(server.url, alice, { method: 'POST', path: services(alice), body, sendBody: JSON.stringify({ ...body, approval_enabled: false }) })
        assertError(res, 401, 'EndPoint.0003')
        // Same object, different bytes (whitespace): the signature covers the raw body.
        const spaced = await signedRequest(server.url, alice, { method: 'POST', path: services(alice), body, sendBody: JSON.stringify(body, null, 1) })
        assertError(spaced, 401, 'EndPoint.0003')
      })

      it('refuses a query or path changed after signing', async () => {
        const headers = signHeaders(server.url, alice, { path: services(alice), query: { sort_dir: 'asc' } })
        const ok = await httpRequest(`${server.url}${services(alice)}?sort_dir=asc`, { headers })
        assert.equal(ok.status, 200, ok.text)
        assertError(await httpRequest(`${server.url}${services(alice)}?sort_dir=desc`, { headers }), 401, 'EndPoint.0003')
        assertError(await httpRequest(`${server.url}${services(alice)}?sort_dir=asc&sort_key=create_at`, { headers }), 401, 'EndPoint.0003')
        assertError(await httpRequest(`${server.url}/v1/${alice.projectId}/vpc-endpoints?sort_dir=asc`, { headers }), 401, 'EndPoint.0003')
      })

      it('accepts X-Sdk-Date 14 minutes off and refuses 16 minutes off, either way', async () => {
        const now = Date.now()
        for (const offset of [-14 * MINUTE, 14 * MINUTE]) {
          const res = await signedRequest(server.url, alice, { path: services(alice), date: new Date(now + offset) })
          assert.equal(res.status, 200, `offset ${offset / MINUTE} min: ${res.text}`)
        }
        for (const offset of [-16 * MINUTE, 16 * MINUTE]) {
          const res = await signedRequest(server.url, alice, { path: services(alice), date: new Date(now + offset) })
          assertError(res, 401, 'EndPoint.0003')
        }
      })

      it('refuses a request without Authorization and without a token', async () => {
        const res = await httpRequest(`${server.url}${services(alice)}`, { headers: { 'content-type': 'application/json', 'X-Project-Id': alice.projectId } })
        assertError(res, 401, 'EndPoint.0003')
        const post = await httpRequest(`${server.url}${services(alice)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(serviceBody()) })
        assertError(post, 401, 'EndPoint.0003')
      })

      it('refuses malformed Authorization headers', async () => {
        const good = await signedRequest(server.url, alice, { path: services(alice) })
        assert.equal(good.status, 200)
        const variants = [
          'garbage',
          'SDK-HMAC-SHA256',
          `SDK-HMAC-SHA256 Access=${alice.accessKey}`,
          `SDK-HMAC-SHA256 Access=${alice.accessKey}, SignedHeaders=host;x-sdk-date, Signature=nothex`,
          `AWS4-HMAC-SHA256 Credential=${alice.accessKey}/x, SignedHeaders=host;x-sdk-date, Signature=${'0'.repeat(64)}`,
        ]
        for (const authorization of variants) {
          const res = await signedRequest(server.url, alice, { path: services(alice), unsignedHeaders: { Authorization: authorization } })
          assertError(res, 401, 'EndPoint.0003')
        }
      })

      it('refuses a correct signature over content-type;host only: x-sdk-date must be signed', async () => {
        // Signed by the official signer's own steps; the same steps over every header are accepted (the
        // control). Leaving out host is test/security/signed-headers.test.ts.
        const sent = { 'content-type': 'application/json', host: new URL(server.url).host, 'X-Project-Id': alice.projectId, 'X-Sdk-Date': sdkDate(new Date()) }
        const control = await httpRequest(`${server.url}${services(alice)}`, { headers: signedOver(alice, 'GET', services(alice), sent, Object.keys(sent)) })
        assert.equal(control.status, 200, control.text)
        const noDate = await httpRequest(`${server.url}${services(alice)}`, { headers: signedOver(alice, 'GET', services(alice), sent, ['content-type', 'host']) })
        assertError(noDate, 401, 'EndPoint.0003', / SignedHeaders must include x-sdk-date\.$/)
      })

      it('refuses an unknown AK', async () => {
        const res = await signedRequest(server.url, { ...alice, accessKey: 'AKUNKNOWN00000000000' }, { path: services(alice) })
        assertError(res, 401, 'EndPoint.0003')
      })

      it('refuses a request missing one of its signed headers', async () => {
        for (const dropped of ['X-Project-Id', 'content-type', 'X-Sdk-Date']) {
          const res = await signedRequest(server.url, alice, { path: services(alice), dropHeaders: [dropped] })
          assertError(res, 401, 'EndPoint.0003')
        }
      })

      it('refuses a signed header whose value changed after signing', async () => {
        const res = await signedRequest(server.url, alice, { path: services(alice), unsignedHeaders: { 'content-type': 'application/json;charset=UTF-8' } })
        assertError(res, 401, 'EndPoint.0003')
      })

      it("forbids another account's project in the path (403 EndPoint.0004)", async () => {
        const res = await signedRequest(server.url, alice, { path: services(bob), headers: { 'X-Project-Id': bob.projectId } })
        assertError(res, 403, 'EndPoint.0004')
        const post = await signedRequest(server.url, alice, { method: 'POST', path: services(bob), headers: { 'X-Project-Id': bob.projectId }, body: serviceBody() })
        assertError(post, 403, 'EndPoint.0004')
        // And without an X-Project-Id header at all.
        const bare = await signedRequest(server.url, alice, { path: services(bob), projectHeader: false })
        assertError(bare, 403, 'EndPoint.0004')
      })

      it('forbids an X-Project-Id header that differs from the path (403)', async () => {
        const res = await signedRequest(server.url, alice, { path: services(alice), headers: { 'X-Project-Id': bob.projectId } })
        assertError(res, 403, 'EndPoint.0004')
      })

      it('accepts a signed request without X-Project-Id for the own project', async () => {
        const res = await signedRequest(server.url, alice, { path: services(alice), projectHeader: false })
        assert.equal(res.status, 200, res.text)
      })

      it('lists the caller\u2019s project on GET /v3/projects', async () => {
        const res = await signedRequest(server.url, alice, { path: '/v3/projects', projectHeader: false })
        assert.equal(res.status, 200, res.text)
        assert.equal(res.json.projects.length, 1)
        assert.equal(res.json.projects[0].id, alice.projectId)
        assert.equal(res.json.projects[0].name, 'cn-north-4')
        assert.equal(res.json.projects[0].domain_id, alice.domainId)
        const byName = await signedRequest(server.url, alice, { path: '/v3/projects', query: { name: 'cn-north-4' }, projectHeader: false })
        assert.deepEqual(byName.json.projects.map((p: { id: string }) => p.id), [alice.projectId])
        const unauthenticated = await httpRequest(`${server.url}/v3/projects`)
        assertError(unauthenticated, 401, 'EndPoint.0003')
      })
    })

    describe('tokens', () => {
      async function token(account: NewAccount, overrides: { password?: string; projectId?: string } = {}): Promise<HttpResult> {
        return httpRequest(`${server.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordBody(account, overrides)) })
      }

      it('issues a token (201, X-Subject-Token) that authenticates VPCEP calls', async () => {
        const issued = await token(alice)
        assert.equal(issued.status, 201, issued.text)
        const subject = issued.headers['x-subject-token']
        assert.ok(typeof subject === 'string' && subject.length > 0 && subject.length <= 2048)
        assert.ok(issued.headers['x-request-id'])
        assert.equal(issued.json.token.project.id, alice.projectId)
        assert.equal(issued.json.token.user.domain.id, alice.domainId)
        assert.ok(!issued.text.includes(subject), 'the token is not echoed in the body')

        const list = await httpRequest(`${server.url}${services(alice)}`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': subject } })
        assert.equal(list.status, 200, list.text)
        assert.equal(typeof list.json.total_count, 'number')
        const created = await httpRequest(`${server.url}${services(alice)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Auth-Token': subject },
          body: JSON.stringify(serviceBody()),
        })
        assert.equal(created.status, 200, created.text)
        assert.equal(created.json.project_id, alice.projectId)
      })

      it('refuses a wrong password, an unknown user and an unknown domain (401)', async () => {
        assertError(await token(alice, { password: `${alice.password}x` }), 401, 'EndPoint.0003')
        assertError(await token({ ...alice, userName: 'nobody-here' }), 401, 'EndPoint.0003')
        assertError(await token({ ...alice, domainName: bob.domainName }), 401, 'EndPoint.0003')
      })

      it("refuses a scope on another account's project", async () => {
        const res = await token(alice, { projectId: bob.projectId })
        assertError(res, 403, 'EndPoint.0004', / The requested project scope is not a project of this account\.$/)
        assert.ok(!res.headers['x-subject-token'])
      })

      it('refuses a garbage token (401)', async () => {
        const res = await httpRequest(`${server.url}${services(alice)}`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': 'vpcep1.not-a-real-token' } })
        assertError(res, 401, 'EndPoint.0003')
        const huge = await httpRequest(`${server.url}${services(alice)}`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': 'x'.repeat(3000) } })
        assertError(huge, 401, 'EndPoint.0003')
      })

      it("forbids a token scoped to project P on another account's project (403)", async () => {
        const subject = (await token(alice)).headers['x-subject-token'] as string
        const res = await httpRequest(`${server.url}${services(bob)}`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': subject } })
        assertError(res, 403, 'EndPoint.0004')
      })

      it('uses the token for /v3/projects too', async () => {
        const subject = (await token(bob)).headers['x-subject-token'] as string
        const res = await httpRequest(`${server.url}/v3/projects`, { headers: { 'content-type': 'application/json', 'X-Auth-Token': subject } })
        assert.equal(res.status, 200, res.text)
        assert.deepEqual(res.json.projects.map((p: { id: string; name: string }) => [p.id, p.name]), [[bob.projectId, 'cn-north-4']])
      })
    })
  })
}
