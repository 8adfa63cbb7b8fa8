import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { dialects, freshDatabaseUrl } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { serverArgs } from '../helpers/process.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'

const ACCOUNT_FIELDS = ['domain_id', 'domain_name', 'project_id', 'project_name', 'user_name', 'password', 'access_key', 'secret_key']

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['bin/vpcep.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })
}

interface RunningServer {
  url: string
  output: () => string
  stop(): Promise<number | null>
}

/**
 * Starts the server as `npm start` does (the bundle in dist/), on a free port, and waits until it listens.
 * It runs in `cwd` (default: a new empty folder), where a PostgreSQL server keeps its demo account file.
 */
async function startProcess(env: Record<string, string>, cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cwd-'))): Promise<RunningServer> {
  const child = spawn(process.execPath, serverArgs(), { cwd, env: { ...process.env, VPCEP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15000)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout.on('data', check)
    child.on('exit', () => reject(new Error(`server exited:\n${output}`)))
  })
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', (code) => resolve(code))
        child.kill('SIGTERM')
      }),
  }
}

for (const dialect of dialects()) {
  describe(`the vpcep process and CLI [${dialect}]`, () => {
    it('creates accounts with the CLI, with or without a running server', async () => {
      const env = { VPCEP_DATABASE_URL: await freshDatabaseUrl(dialect) }
      const created = cli(['accounts', 'create', 'alice', '--json'], env)
      assert.equal(created.status, 0, created.stderr)
      const account = JSON.parse(created.stdout)
      assert.deepEqual(Object.keys(account).sort(), [...ACCOUNT_FIELDS].sort())
      assert.equal(account.project_name, 'cn-north-4')

      const duplicate = cli(['accounts', 'create', 'alice', '--json'], env)
      assert.notEqual(duplicate.status, 0)
      assert.match(duplicate.stderr, /already exists/)

      const server = await startProcess(env)
      try {
        // The database already had an account, so no demo account is made.
        assert.doesNotMatch(server.output(), /demo account/)
        const whileRunning = cli(['accounts', 'create', 'bob', '--json'], env)
        assert.equal(whileRunning.status, 0, whileRunning.stderr)
        const bob = JSON.parse(whileRunning.stdout)
        const list = await sdkClient(server.url, { accessKey: bob.access_key, secretKey: bob.secret_key, projectId: bob.project_id }).listEndpointService()
        assert.equal(list.total_count, 0)
      } finally {
        assert.equal(await server.stop(), 0)
      }
    })

    it('starts on an empty database with a demo account in an owner-only file, logs only its path, and stops cleanly on SIGTERM', async () => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cwd-'))
      const databaseUrl = await freshDatabaseUrl(dialect)
      const env = { VPCEP_DATABASE_URL: databaseUrl, VPCEP_LOG_FORMAT: 'json' }
      const file = dialect === 'sqlite' ? path.join(path.dirname(databaseUrl.slice('sqlite:'.length)), 'demo-account.json') : path.join(cwd, 'data', 'demo-account.json')
      const first = await startProcess(env, cwd)
      let demo: Record<string, string>
      try {
        demo = JSON.parse(fs.readFileSync(file, 'utf8'))
        assert.deepEqual(Object.keys(demo).sort(), [...ACCOUNT_FIELDS].sort())
        assert.equal(fs.statSync(file).mode & 0o777, 0o600)
        // stdout is a pipe here, as under any supervisor: the log names the file and holds no secret.
        const logged = first.output().split('\n').filter((line) => line.includes('demo account')).map((line) => JSON.parse(line))
        assert.deepEqual(logged.map((line) => line.file), [file])
        for (const secret of [demo.password!, demo.secret_key!, demo.access_key!]) assert.ok(!first.output().includes(secret), 'no credential in the output')
        assert.equal((await httpRequest(`${first.url}/healthz`)).status, 200)
        const sdk = sdkClient(first.url, { accessKey: demo.access_key!, secretKey: demo.secret_key!, projectId: demo.project_id! })
        assert.equal((await sdk.listEndpoints()).httpStatusCode, 200)
      } finally {
        assert.equal(await first.stop(), 0)
      }
      const second = await startProcess(env, cwd)
      try {
        assert.doesNotMatch(second.output(), /demo account/)
        assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), demo, 'the file is left as it was')
      } finally {
        await second.stop()
      }
    })

    it('refuses bad settings with a clear message', () => {
      const result = spawnSync(process.execPath, serverArgs(), { env: { ...process.env, VPCEP_PORT: 'abc' }, encoding: 'utf8' })
      assert.equal(result.status, 1)
      assert.match(result.stderr, /VPCEP_PORT must be a whole number/)
    })
  })
}

// The bundle runs from dist/, where paths relative to a module's own location lead nowhere: the files
// beside the sources (the console's assets, package.json) must be found from the project root.
describe('the server bundle', () => {
  it('serves the console files from src/console/static and the package version in /openapi.json', async () => {
    const server = await startProcess({ VPCEP_DATABASE_URL: await freshDatabaseUrl('sqlite') })
    try {
      for (const file of ['index.html', 'style.css', 'js/app.js']) {
        const response = await httpRequest(`${server.url}/console/${file}`)
        assert.equal(response.status, 200, file)
        assert.equal(response.text, fs.readFileSync(new URL(`../../src/console/static/${file}`, import.meta.url), 'utf8'), file)
      }
      const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
      const openapi = await httpRequest(`${server.url}/openapi.json`)
      assert.equal(openapi.status, 200)
      assert.equal(openapi.json.info.version, pkg.version)
    } finally {
      assert.equal(await server.stop(), 0)
    }
  })
})
