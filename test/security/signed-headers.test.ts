import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, security, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkDate, signedOver, signHeaders } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * SECURITY.md: "host and x-sdk-date must be signed", and "with VPCEP_ALLOWED_HOSTS set, a signature made
 * for another host is refused". The official signer's sign() always signs both headers, so a request that
 * leaves one out is signed with that signer's own steps (signedOver in test/helpers/signed.ts). Each refused
 * request comes with a control signed the same way that is accepted, and that control equals what sign()
 * makes: the refused request's only fault is the header left out.
 */

for (const dialect of dialects()) {
  describe(`what a signature must cover [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    const path = () => `/v1/${account.projectId}/vpc-endpoint-services`
    const headers = () => ({ host: new URL(server.url).host, 'x-sdk-date': sdkDate(new Date()), 'x-project-id': account.projectId })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      account = await server.account('headers')
    })
    after(() => server.stop())

    it('accepts the control signed by the same steps over content-type, host, x-project-id and x-sdk-date: what sign() makes', async () => {
      const at = new Date()
      const control = signedOver(account, 'GET', path(), { ...headers(), 'x-sdk-date': sdkDate(at), 'content-type': 'application/json' }, ['content-type', 'host', 'x-project-id', 'x-sdk-date'])
      assert.equal(control.Authorization, signHeaders(server.url, account, { path: path(), date: at }).Authorization)
      const res = await httpRequest(`${server.url}${path()}`, { headers: control })
      assert.equal(res.status, 200, res.text)
    })

    it('refuses a correct signature that leaves host out of SignedHeaders, naming host', async () => {
      const res = await httpRequest(`${server.url}${path()}`, { headers: signedOver(account, 'GET', path(), headers(), ['x-project-id', 'x-sdk-date']) })
      assertError(res, 401, 'EndPoint.0003', / SignedHeaders must include host\.$/)
    })

    it('refuses a correct signature that leaves x-sdk-date out of SignedHeaders, naming x-sdk-date', async () => {
      const res = await httpRequest(`${server.url}${path()}`, { headers: signedOver(account, 'GET', path(), headers(), ['host', 'x-project-id']) })
      assertError(res, 401, 'EndPoint.0003', /SignedHeaders must include x-sdk-date\./)
    })

    it('without VPCEP_ALLOWED_HOSTS, accepts a signature for any host name (the server cannot know its public name)', async () => {
      const signed = signHeaders(server.url, account, { path: path(), headers: { host: 'vpcep.example:443' } })
      const res = await httpRequest(`${server.url}${path()}`, { headers: signed })
      assert.equal(res.status, 200, res.text)
    })
  })

  describe(`VPCEP_ALLOWED_HOSTS ties signatures to this server's names [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    const path = () => `/v1/${account.projectId}/vpc-endpoint-services`
    const sendSignedFor = (host: string) => httpRequest(`${server.url}${path()}`, { headers: signHeaders(server.url, account, { path: path(), headers: { host } }) })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), security({ allowedHosts: ['vpcep.internal', '127.0.0.1:9443'] }))
      account = await server.account('hosts')
    })
    after(() => server.stop())

    it('refuses a request signed for and sent with another host', async () => {
      assertError(await sendSignedFor('evil.example'), 401, 'EndPoint.0003', /signed for a host this server does not answer to/)
      assertError(await sendSignedFor('evil.example:9443'), 401, 'EndPoint.0003')
      assertError(await sendSignedFor('127.0.0.1:9880'), 401, 'EndPoint.0003', /does not answer to/)
    })

    it('accepts a listed name on any port, in any case, and a listed name:port exactly', async () => {
      for (const host of ['vpcep.internal', 'VPCEP.Internal:8443', '127.0.0.1:9443']) assert.equal((await sendSignedFor(host)).status, 200, host)
    })
  })
}
