import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { VpcepClient } from '../../src/client/index.ts'
import { baseEnv, cli, type Run } from '../helpers/cli.ts'

/*
 * The CLI as people and scripts use it: `node bin/vpcep.js …` in a child process against an in-process
 * server. Children run asynchronously (spawnSync would block the server they talk to).
 */

const VPC = '84758cf5-9c62-43ae-a778-3dbd8370c0a4'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

function ok(run: Run, what: string): Run {
  assert.equal(run.code, 0, `${what} failed (${run.code}):\n${run.stderr}${run.stdout}`)
  return run
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Header and rows of a table, split on runs of two or more spaces; also each header's column offset. */
function table(stdout: string): { header: string[]; rows: string[][]; offsets: number[]; lines: string[] } {
  const lines = stdout.trimEnd().split('\n')
  const split = (line: string) => line.trim().split(/ {2,}/)
  const header = split(lines[0]!)
  return { header, rows: lines.slice(1).map(split), offsets: header.map((h) => lines[0]!.indexOf(h)), lines }
}

for (const dialect of dialects()) {
  describe(`the vpcep CLI [${dialect}]`, () => {
    let server: TestServer
    let databaseUrl: string
    let provider: NewAccount
    let consumer: NewAccount
    let home: string

    const as = (account: NewAccount, extra: Record<string, string> = {}) => ({
      ...baseEnv(home),
      VPCEP_ENDPOINT: server.url,
      VPCEP_ACCESS_KEY: account.accessKey,
      VPCEP_SECRET_KEY: account.secretKey,
      VPCEP_PROJECT_ID: account.projectId,
      ...extra,
    })

    before(async () => {
      databaseUrl = await freshDatabaseUrl(dialect)
      // A short provisioning delay, so --wait really waits.
      server = await startServer(databaseUrl, { provisionDelayMs: 300 })
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-home-'))
    })

    after(async () => {
      await server.stop()
    })

    it('walks a provider and a consumer through a connection, with --wait, tables and JSON', async () => {
      const created = ok(await cli(['services', 'create', '--port-id', randomUUID(), '--vpc-id', VPC, '--port', '8080:80', '--name', 'web', '--tag', 'env=prod', '--wait', '--json'], as(provider)), 'services create')
      const service = created.json
      assert.equal(service.status, 'available')
      assert.deepEqual(service.ports, [{ client_port: 8080, server_port: 80, protocol: 'TCP' }])
      assert.deepEqual(service.tags, [{ key: 'env', value: 'prod' }])
      assert.match(service.service_name, /^cn-north-4\.web\.[0-9a-f-]{36}$/)
      for (const field of ['id', 'port_id', 'vpc_id', 'approval_enabled', 'connection_count', 'created_at', 'project_id']) assert.ok(field in service, field)
      assert.equal(created.stderr, '', 'no progress output when stderr is not a terminal')

      const added = ok(await cli(['permissions', 'add', service.id, consumer.domainId, '--description', 'the consumer', '--json'], as(provider)), 'permissions add')
      assert.equal(added.json.permissions.length, 1)
      const record = added.json.permissions[0]
      assert.equal(record.permission, `iam:domain::${consumer.domainId}`)
      assert.equal(record.description, 'the consumer')

      // The consumer names the service by its full name; the CLI looks the id up.
      const endpointRun = ok(await cli(['endpoints', 'create', '--service', service.service_name, '--vpc-id', VPC, '--subnet-id', SUBNET, '--wait', '--json'], as(consumer)), 'endpoints create')
      const endpoint = endpointRun.json
      assert.equal(endpoint.status, 'pendingAcceptance')
      assert.equal(endpoint.endpoint_service_id, service.id)
      assert.equal(endpointRun.stderr, '')

      const pending = table(ok(await cli(['connections', 'list', service.id], as(provider)), 'connections list').stdout)
      assert.deepEqual(pending.header, ['ENDPOINT', 'STATUS', 'DOMAIN', 'MARKER', 'DESCRIPTION', 'CREATED'])
      assert.equal(pending.rows.length, 1)
      assert.deepEqual(pending.rows[0]!.slice(0, 3), [endpoint.id, 'pendingAcceptance', consumer.domainId])
      const statusOffset = pending.offsets[1]!
      assert.equal(pending.lines[1]!.indexOf('pendingAcceptance'), statusOffset, 'columns are aligned under their headers')

      const accepted = ok(await cli(['connections', 'accept', service.id, endpoint.id, '--wait', '--json'], as(provider)), 'connections accept')
      assert.deepEqual(Object.keys(accepted.json), ['connections'])
      assert.equal(accepted.json.connections[0].id, endpoint.id)
      assert.equal(accepted.json.connections[0].status, 'accepted')
      const [consumerView, shown] = await Promise.all([cli(['endpoints', 'show', endpoint.id, '--json'], as(consumer)), cli(['services', 'show', service.id], as(provider))])
      assert.equal(ok(consumerView, 'endpoints show').json.status, 'accepted')
      assert.match(ok(shown, 'services show').stdout, /^connections +1$/m)
      assert.match(shown.stdout, /^status +available$/m)

      const rejected = table(ok(await cli(['connections', 'reject', service.id, endpoint.id, '--wait'], as(provider)), 'connections reject').stdout)
      assert.deepEqual(rejected.rows[0]!.slice(0, 2), [endpoint.id, 'rejected'])

      const removed = ok(await cli(['permissions', 'remove', service.id, record.id, '--json'], as(provider)), 'permissions remove')
      assert.deepEqual(removed.json, { permissions: [record] })
      const [left, consumerList] = await Promise.all([cli(['permissions', 'list', service.id, '--json'], as(provider)), cli(['endpoints', 'list'], as(consumer))])
      assert.deepEqual(ok(left, 'permissions list').json, { permissions: [], total_count: 0 })
      const endpointsTable = table(ok(consumerList, 'endpoints list').stdout)
      assert.deepEqual(endpointsTable.header, ['ID', 'STATUS', 'SERVICE', 'IP', 'FORWARDING', 'VPC', 'CREATED'])
      assert.deepEqual(endpointsTable.rows[0]!.slice(0, 3), [endpoint.id, 'rejected', service.service_name])

      const deleted = ok(await cli(['endpoints', 'delete', endpoint.id, '--wait'], as(consumer)), 'endpoints delete')
      assert.equal(deleted.stdout, `Deleted endpoint ${endpoint.id}.\n`)
      const [endpointGone, serviceDeleted] = await Promise.all([cli(['endpoints', 'show', endpoint.id], as(consumer)), cli(['services', 'delete', service.id, '--wait', '--json'], as(provider))])
      assert.equal(endpointGone.code, 3, endpointGone.stderr)
      assert.equal(ok(serviceDeleted, 'services delete').stdout, '', 'a 204 has no JSON to print')
      const serviceGone = await cli(['services', 'show', service.id], as(provider))
      assert.equal(serviceGone.code, 3)
      assert.match(serviceGone.stderr, /^vpcep: 404 EndPoint\.0005: .* — check the id; "vpcep services list" shows what exists in project [0-9a-f]+ \(request [0-9a-f]{32}\)\n$/)
    })

    it('prints aligned tables for people', async () => {
      const [quotas, none, help] = await Promise.all([
        cli(['quotas'], as(consumer)),
        cli(['services', 'list'], as(consumer)),
        cli(['permissions', 'remove', '--help'], baseEnv(home)),
      ])
      const q = table(ok(quotas, 'quotas').stdout)
      assert.deepEqual(q.header, ['TYPE', 'USED', 'QUOTA', 'LEFT'])
      assert.deepEqual(q.rows.map((r) => r[0]).sort(), ['endpoint', 'endpoint_service'])
      for (const line of q.lines.slice(1)) assert.equal(line.indexOf(line.trim().split(/ {2,}/)[1]!), q.offsets[1])
      assert.equal(ok(none, 'services list').stdout, '(none)\n')
      assert.match(ok(help, 'help').stdout, /Examples?:\n {2}\$ vpcep permissions remove /)
      assert.match(help.stdout, /--access-key <ak>/)
    })

    it('exits 1 on API errors, 2 on usage errors, 3 on 404, 4 on bad credentials, 5 when the server is down', async () => {
      const down = `http://127.0.0.1:${await closedPort()}`
      const runs = await Promise.all([
        cli(['services', 'create', '--port-id', 'not-a-uuid', '--vpc-id', VPC, '--port', '80:80'], as(provider)),
        cli(['services', 'create', '--vpc-id', VPC, '--port', '80:80'], as(provider)),
        cli(['services', 'create', '--port-id', randomUUID(), '--vpc-id', VPC, '--port', '0:80'], as(provider)),
        cli(['services', 'frobnicate'], as(provider)),
        cli(['quotas'], { ...baseEnv(home), VPCEP_ENDPOINT: server.url }),
        cli(['services', 'show', randomUUID()], as(provider)),
        cli(['services', 'list'], as(provider, { VPCEP_SECRET_KEY: 'x'.repeat(40) })),
        cli(['services', 'list'], as(provider, { VPCEP_PROJECT_ID: consumer.projectId })),
        cli(['services', 'list'], as(provider, { VPCEP_ENDPOINT: down })),
      ])
      const [apiError, missingOption, badPort, unknownCommand, noCredentials, notFound, badSecret, otherProject, serverDown] = runs
      assert.deepEqual(runs.map((r) => r.code), [1, 2, 2, 2, 2, 3, 4, 4, 5], runs.map((r) => r.stderr).join(''))
      assert.match(apiError!.stderr, /^vpcep: 400 EndPoint\.3003: Invalid port ID\./)
      assert.match(missingOption!.stderr, /required option '--port-id <uuid>' not specified/)
      assert.match(badPort!.stderr, /CLIENT_PORT:SERVER_PORT/)
      assert.match(unknownCommand!.stderr, /unknown command 'frobnicate'/)
      assert.match(noCredentials!.stderr, /no credentials: set VPCEP_ACCESS_KEY and VPCEP_SECRET_KEY/)
      assert.match(notFound!.stderr, /404 EndPoint\.0005/)
      assert.match(badSecret!.stderr, /^vpcep: 401 EndPoint\.0003: the signature does not match — check VPCEP_SECRET_KEY \(request [0-9a-f]{32}\)\n$/)
      assert.match(otherProject!.stderr, /^vpcep: 403 EndPoint\.0004: .* check VPCEP_PROJECT_ID/)
      assert.match(serverDown!.stderr, /^vpcep: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused — is the server running\? check VPCEP_ENDPOINT\n$/)
      for (const run of runs) assert.equal(run.stdout, '', 'errors go to stderr only')
    })

    it('takes flags over the environment over the profile file that configure writes (mode 0600)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-profile-'))
      const xdg = path.join(dir, 'xdg')
      const env = { ...baseEnv(home), XDG_CONFIG_HOME: xdg }
      // No --project-id: configure looks it up with the keys.
      ok(await cli(['configure', '--endpoint', server.url, '--access-key', provider.accessKey, '--secret-key', provider.secretKey], env), 'configure')
      ok(await cli(['configure', '--profile', 'consumer', '--endpoint', server.url, '--access-key', consumer.accessKey, '--secret-key', consumer.secretKey, '--project-id', consumer.projectId], env), 'configure consumer')
      const file = path.join(xdg, 'vpcep', 'config')
      assert.equal(fs.statSync(file).mode & 0o777, 0o600)
      const text = fs.readFileSync(file, 'utf8')
      assert.match(text, new RegExp(`^\\[default\\]\\nendpoint = ${server.url.replace(/\./g, '\\.')}\\naccess_key = ${provider.accessKey}\\nsecret_key = ${provider.secretKey}\\nproject_id = ${provider.projectId}\\n`))
      assert.match(text, /\n\[consumer\]\n/)

      const sdk = new VpcepClient({ endpoint: server.url, projectId: provider.projectId, auth: { kind: 'aksk', accessKey: provider.accessKey, secretKey: provider.secretKey } })
      const service = await sdk.services.create({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })

      const homeOnly = path.join(dir, 'home')
      fs.mkdirSync(path.join(homeOnly, '.config', 'vpcep'), { recursive: true })
      fs.copyFileSync(file, path.join(homeOnly, '.config', 'vpcep', 'config'))
      const wrong = 'w'.repeat(40)
      const runs = await Promise.all([
        cli(['services', 'show', service.id, '--json'], env),
        cli(['services', 'show', service.id, '--json'], { ...env, VPCEP_SECRET_KEY: wrong }),
        cli(['services', 'show', service.id, '--json', '--secret-key', provider.secretKey], { ...env, VPCEP_SECRET_KEY: wrong }),
        cli(['services', 'show', service.id, '--profile', 'consumer'], env),
        cli(['services', 'show', service.id], { ...env, VPCEP_PROFILE: 'consumer' }),
        cli(['services', 'show', service.id, '--profile', 'nosuch'], env),
        cli(['services', 'show', service.id, '--json'], { ...baseEnv(homeOnly) }),
      ])
      const [fromProfile, envOverProfile, flagOverEnv, chosenProfile, profileFromEnv, unknownProfile, homeFallback] = runs
      assert.deepEqual(runs.map((r) => r.code), [0, 4, 0, 3, 3, 2, 0], runs.map((r) => r.stderr).join(''))
      assert.equal(fromProfile!.json.id, service.id)
      assert.match(envOverProfile!.stderr, /check VPCEP_SECRET_KEY/)
      assert.equal(flagOverEnv!.json.id, service.id)
      assert.match(chosenProfile!.stderr, new RegExp(`in project ${consumer.projectId}`))
      assert.match(unknownProfile!.stderr, /there is no profile "nosuch" in .*xdg\/vpcep\/config \(it has: default, consumer\)/)
      assert.equal(homeFallback!.json.id, service.id)

    })

    it('rotates keys (the old key is refused at once), lists accounts without secrets, and migrates', async () => {
      const account = await server.account('rotating')
      // Admin commands open the database themselves: they need the server's key for secrets at rest.
      const admin = { ...baseEnv(home), VPCEP_DATABASE_URL: databaseUrl, ...(process.env.VPCEP_MASTER_KEY ? { VPCEP_MASTER_KEY: process.env.VPCEP_MASTER_KEY } : {}) }
      const rotated = ok(await cli(['accounts', 'rotate-keys', account.domainName, '--json'], admin), 'rotate-keys')
      assert.deepEqual(Object.keys(rotated.json).sort(), ['access_key', 'domain_id', 'domain_name', 'project_id', 'secret_key', 'user_name'])
      assert.equal(rotated.json.domain_id, account.domainId)
      assert.notEqual(rotated.json.access_key, account.accessKey)

      const [oldKey, newKey, listed, migrated, missing] = await Promise.all([
        cli(['quotas'], as(account)),
        cli(['quotas', '--json'], as(account, { VPCEP_ACCESS_KEY: rotated.json.access_key, VPCEP_SECRET_KEY: rotated.json.secret_key })),
        cli(['accounts', 'list', '--json'], admin),
        cli(['migrate', '--json'], admin),
        cli(['accounts', 'rotate-keys', 'nobody-here'], admin),
      ])
      assert.equal(oldKey.code, 4)
      assert.match(oldKey.stderr, /401 EndPoint\.0003: the access key is not known to the server — check VPCEP_ACCESS_KEY/)
      assert.equal(ok(newKey, 'new key').json.quotas.resources.length, 2)

      const entry = ok(listed, 'accounts list').json.find((a: { name: string }) => a.name === account.domainName)
      assert.deepEqual(entry && { ...entry, created_at: undefined }, { name: account.domainName, domain_id: account.domainId, project_id: account.projectId, access_keys: 1, created_at: undefined })
      assert.doesNotMatch(listed.stdout, /secret|password/)
      assert.ok(!listed.stdout.includes(rotated.json.secret_key))
      assert.ok(!listed.json.some((a: { name: string }) => a.name.startsWith('op.platform.')), 'the platform account is not listed')

      const report = ok(migrated, 'migrate').json
      assert.equal(report.dialect, dialect)
      assert.deepEqual(report.applied_now, [])
      assert.equal(report.migrations[0], '0001_initial')
      assert.equal(report.current, report.migrations.at(-1))

      assert.equal(missing.code, 3)
      assert.match(missing.stderr, /there is no account named "nobody-here"/)
    })

    it('maps port ids to backend addresses on the database: set, list, remove, and refuses what is not an address', async () => {
      const admin = { ...baseEnv(home), VPCEP_DATABASE_URL: databaseUrl, ...(process.env.VPCEP_MASTER_KEY ? { VPCEP_MASTER_KEY: process.env.VPCEP_MASTER_KEY } : {}) }
      const portId = `port-${process.pid}-${Date.now()}`
      ok(await cli(['backends', 'set', portId, '127.0.0.9'], admin), 'backends set')
      const listed = ok(await cli(['backends', 'list', '--json'], admin), 'backends list').json
      assert.deepEqual(listed.filter((b: { port_id: string }) => b.port_id === portId).map((b: { address: string }) => b.address), ['127.0.0.9'])
      const bad = await cli(['backends', 'set', portId, 'db.internal:5432'], admin)
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /a backend address is an IPv4 address/)
      ok(await cli(['backends', 'remove', portId], admin), 'backends remove')
      assert.equal((await cli(['backends', 'remove', portId], admin)).code, 3)
    })
  })
}

describe('the vpcep CLI in a pipeline', () => {
  it('ends quietly, exit 0, when the reader of its output goes away first (vpcep … | head)', async () => {
    const child = spawn(process.execPath, ['bin/vpcep.js', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
    // Closed before the CLI has started, so its first write meets a closed pipe (EPIPE) every time.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    assert.equal(stderr, '')
    assert.equal(code, 0)
  })
})
