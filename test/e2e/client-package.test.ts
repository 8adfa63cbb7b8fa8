import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { freshDatabaseUrl } from '../helpers/server.ts'
import { cliAccount, startServerProcess, type ServerProcess } from '../helpers/process.ts'

/*
 * `vpcep/client` as a user gets it: the package's "exports" entry, the bundle scripts/build.mjs writes
 * and the declarations of scripts/build-types.mjs. The README's example is examples/node-client.mjs,
 * word for word, and runs here with plain node against a started server.
 */

const EXAMPLE = 'examples/node-client.mjs'

/** The ```js block that follows `<!-- example: FILE -->` in a Markdown file. */
function exampleBlock(markdown: string, file: string): string | undefined {
  const at = markdown.indexOf(`<!-- example: ${file} -->`)
  if (at < 0) return undefined
  return /```js\n([\s\S]*?)```/.exec(markdown.slice(at))?.[1]
}

describe('the vpcep/client entry point', () => {
  let server: ServerProcess
  let env: Record<string, string>

  before(async () => {
    const databaseUrl = await freshDatabaseUrl('sqlite')
    const account = cliAccount(databaseUrl, 'node-example')
    server = await startServerProcess({ VPCEP_DATABASE_URL: databaseUrl })
    env = { VPCEP_ENDPOINT: server.url, VPCEP_PROJECT_ID: account.projectId, VPCEP_ACCESS_KEY: account.accessKey, VPCEP_SECRET_KEY: account.secretKey }
  })
  after(async () => {
    await server?.stop()
  })

  it('is the example the README and docs/clients.md show', () => {
    const example = fs.readFileSync(EXAMPLE, 'utf8')
    assert.equal(exampleBlock(fs.readFileSync('README.md', 'utf8'), EXAMPLE), example)
    assert.equal(exampleBlock(fs.readFileSync('docs/clients.md', 'utf8'), EXAMPLE), example)
  })

  it('runs the example with node against a started server, again and again', () => {
    for (let time = 0; time < 2; time++) {
      const run = spawnSync(process.execPath, [EXAMPLE], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 })
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`)
      assert.match(run.stdout, /^\S+ is available\nthe project has 1 service\(s\)\ndeleted [0-9a-f-]{36}\n$/)
    }
  })

  it('reports an API refusal with its EndPoint code', () => {
    const run = spawnSync(process.execPath, [EXAMPLE], { env: { ...process.env, ...env, VPCEP_SECRET_KEY: 'not-the-secret-key' }, encoding: 'utf8', timeout: 60_000 })
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^EndPoint\.0003: Authentication failed or authentication information is invalid\. The signature does not match\. \(request \S+\)\n$/)
  })

  it('carries declarations a TypeScript project type-checks against', () => {
    const built = spawnSync(process.execPath, ['scripts/build-types.mjs'], { encoding: 'utf8' })
    assert.equal(built.status, 0, built.stdout + built.stderr)
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-consumer-'))
    fs.mkdirSync(path.join(consumer, 'node_modules'))
    fs.symlinkSync(process.cwd(), path.join(consumer, 'node_modules', 'vpcep'))
    fs.writeFileSync(path.join(consumer, 'package.json'), '{"type": "module"}\n')
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [], typeRoots: [path.resolve('node_modules/@types')] } }),
    )
    fs.writeFileSync(
      path.join(consumer, 'main.ts'),
      [
        "import { VpcepClient, type EndpointService } from 'vpcep/client'",
        "const client = new VpcepClient({ endpoint: 'http://127.0.0.1:9880', projectId: 'p', auth: { kind: 'token', token: 't' } })",
        'export async function create(): Promise<EndpointService> {',
        "  return client.services.create({ port_id: 'p', vpc_id: 'v', server_type: 'VM', ports: [{ client_port: 1, server_port: 2, protocol: 'TCP' }] })",
        '}',
        'export const wrong: number = (await create()).status',
        '',
      ].join('\n'),
    )
    const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: consumer, encoding: 'utf8' })
    // The one error is the deliberate one: a service's status is a string. Anything else (an unresolved
    // module, an any) would show as another message or as none.
    assert.equal(tsc.stdout.trim().split('\n').filter((line) => /error TS/.test(line)).join('\n'), "main.ts(6,14): error TS2322: Type 'string' is not assignable to type 'number'.")
    fs.rmSync(consumer, { recursive: true, force: true })
  })
})
