import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'

/*
 * An operator repairing an account: `vpcep accounts show` and `reset-password` on the database (the server
 * running), the same through the admin API, and the console's way in (POST /v3/auth/tokens with the
 * password) before and after. Also `vpcep sign`, whose headers curl sends as they are.
 */

const ADMIN_TOKEN = 'admin-token-for-accounts-tests'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The CLI in a child process, asynchronously: the server it talks to runs in this one. */
function cli(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // None of the developer's VPCEP_* settings, except the master key: the CLI must seal secrets with the
    // key the in-process server opens them with (the test runner sets one for PostgreSQL).
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VPCEP_') || name === 'VPCEP_MASTER_KEY')) as Record<string, string>
    const child = spawn(process.execPath, ['bin/vpcep.js', ...args], { env: { ...clean, HOME: '/nonexistent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

/** The console's sign-in: Keystone password auth scoped to the project. */
function signIn(url: string, who: { domain: string; user: string; password: string; projectId: string }) {
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: who.user, password: who.password, domain: { name: who.domain } } } }, scope: { project: { id: who.projectId } } } }
  return httpRequest(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

for (const dialect of dialects()) {
  describe(`repairing accounts [${dialect}]`, () => {
    let server: TestServer
    let env: Record<string, string>

    before(async () => {
      const databaseUrl = await freshDatabaseUrl(dialect)
      server = await startServer(databaseUrl, { adminToken: ADMIN_TOKEN })
      env = { VPCEP_DATABASE_URL: databaseUrl }
    })
    after(() => server.stop())

    it('accounts show prints the ids and access key ids, never a password or secret key', async () => {
      const created = JSON.parse((await cli(['accounts', 'create', 'shown', '--json'], env)).stdout)
      const shown = await cli(['accounts', 'show', 'shown', '--json'], env)
      assert.equal(shown.code, 0, shown.stderr)
      const account = JSON.parse(shown.stdout)
      assert.deepEqual(Object.keys(account).sort(), ['access_keys', 'created_at', 'domain_id', 'domain_name', 'project_id', 'project_name', 'user_id', 'user_name'])
      assert.equal(account.domain_id, created.domain_id)
      assert.equal(account.project_id, created.project_id)
      assert.deepEqual(account.access_keys, [created.access_key])
      const table = await cli(['accounts', 'show', 'shown'], env)
      for (const text of [shown.stdout, table.stdout]) {
        assert.doesNotMatch(text, new RegExp(created.secret_key))
        assert.doesNotMatch(text, new RegExp(created.password.replace(/[!]/g, '\\!')))
      }
      assert.match(table.stdout, new RegExp(`^domain_id +${created.domain_id}$`, 'm'))

      const missing = await cli(['accounts', 'show', 'nobody-here'], env)
      assert.equal(missing.code, 3)
      assert.match(missing.stderr, /there is no account named "nobody-here" — "vpcep accounts list" shows the accounts/)
    })

    it('reset-password lets the console sign in again, with the new password only, and ends old sessions', async () => {
      const created = JSON.parse((await cli(['accounts', 'create', 'forgetful', '--json'], env)).stdout)
      const who = { domain: created.domain_name, user: created.user_name, projectId: created.project_id }
      const before = await signIn(server.url, { ...who, password: created.password })
      assert.equal(before.status, 201)
      const oldToken = String(before.headers['x-subject-token'])

      const reset = await cli(['accounts', 'reset-password', 'forgetful'], env)
      assert.equal(reset.code, 0, reset.stderr)
      const password = /^ {2}password +(\S+)$/m.exec(reset.stdout)?.[1]
      assert.ok(password, reset.stdout)
      assert.notEqual(password, created.password)

      assert.equal((await signIn(server.url, { ...who, password: created.password })).status, 401)
      const again = await signIn(server.url, { ...who, password })
      assert.equal(again.status, 201)
      const list = (token: string) => httpRequest(`${server.url}/v1/${created.project_id}/vpc-endpoint-services`, { headers: { 'X-Auth-Token': token } })
      assert.equal((await list(oldToken)).status, 401)
      assert.equal((await list(String(again.headers['x-subject-token']))).status, 200)

      // Keys are not a password: the AK/SK pair still signs.
      const signed = await cli(['sign', 'GET', `/v1/${created.project_id}/vpc-endpoint-services`], { VPCEP_ENDPOINT: server.url, VPCEP_ACCESS_KEY: created.access_key, VPCEP_SECRET_KEY: created.secret_key })
      const headers = Object.fromEntries(signed.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
      assert.equal((await httpRequest(`${server.url}/v1/${created.project_id}/vpc-endpoint-services`, { headers })).status, 200)
    })

    it('the admin API shows an account and resets its password', async () => {
      const created = JSON.parse((await cli(['accounts', 'create', 'via-admin', '--json'], env)).stdout)
      const admin = { 'X-Admin-Token': ADMIN_TOKEN }
      const shown = await httpRequest(`${server.url}/admin/v1/accounts/via-admin`, { headers: admin })
      assert.equal(shown.status, 200)
      assert.equal(shown.json.domain_id, created.domain_id)
      assert.deepEqual(shown.json.access_keys, [created.access_key])
      assert.doesNotMatch(shown.text, new RegExp(created.secret_key))

      const reset = await httpRequest(`${server.url}/admin/v1/accounts/via-admin/reset-password`, { method: 'POST', headers: admin })
      assert.equal(reset.status, 200)
      assert.equal(reset.headers['cache-control'], 'no-store')
      const who = { domain: created.domain_name, user: created.user_name, projectId: created.project_id }
      assert.equal((await signIn(server.url, { ...who, password: reset.json.password })).status, 201)
      assert.equal((await signIn(server.url, { ...who, password: created.password })).status, 401)

      const missing = await httpRequest(`${server.url}/admin/v1/accounts/nobody-here`, { headers: admin })
      assert.equal(missing.status, 404)
      assert.equal(missing.json.error_code, 'EndPoint.0005')
      assert.equal((await httpRequest(`${server.url}/admin/v1/accounts/via-admin/reset-password`, { method: 'POST' })).status, 401)
    })

    it('vpcep sign prints headers that authenticate exactly the body signed', async () => {
      const created = JSON.parse((await cli(['accounts', 'create', 'signer', '--json'], env)).stdout)
      const keys = { VPCEP_ENDPOINT: server.url, VPCEP_ACCESS_KEY: created.access_key, VPCEP_SECRET_KEY: created.secret_key, VPCEP_PROJECT_ID: created.project_id }
      const path = `/v1/${created.project_id}/vpc-endpoint-services`
      const body = JSON.stringify({ port_id: '4189d3c2-8882-4871-a3c2-d380272eed88', vpc_id: '4189d3c2-8882-4871-a3c2-d380272eed80', server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }] })
      const signed = await cli(['sign', 'post', path, '--data-file', '-'], keys, body)
      assert.equal(signed.code, 0, signed.stderr)
      const lines = signed.stdout.trim().split('\n')
      assert.deepEqual(lines.map((line) => line.slice(0, line.indexOf(':'))), ['Content-Type', 'X-Project-Id', 'X-Sdk-Date', 'host', 'Authorization'])
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
      const created1 = await httpRequest(`${server.url}${path}`, { method: 'POST', headers, body })
      assert.equal(created1.status, 200, created1.text)
      const tampered = await httpRequest(`${server.url}${path}`, { method: 'POST', headers, body: body.replace('8080', '8081') })
      assert.equal(tampered.status, 401)

      const curl = await cli(['sign', 'GET', `${server.url}${path}?limit=1`, '--curl'], keys)
      assert.match(curl.stdout, /^curl -sS -X GET 'http:\/\/127\.0\.0\.1:\d+\/v1\/[0-9a-f]+\/vpc-endpoint-services\?limit=1' -H 'X-Project-Id: [0-9a-f]+' -H 'X-Sdk-Date: \d{8}T\d{6}Z' -H 'host: 127\.0\.0\.1:\d+' -H 'Authorization: SDK-HMAC-SHA256 Access=\w+, SignedHeaders=host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}'\n$/)

      const noKeys = await cli(['sign', 'GET', path], { VPCEP_ENDPOINT: server.url })
      assert.equal(noKeys.code, 2)
      assert.match(noKeys.stderr, /signing needs an access key and a secret key; set VPCEP_ACCESS_KEY \(or --access-key\)/)
      assert.equal((await cli(['sign', 'FETCH', path], keys)).code, 2)
    })
  })
}
