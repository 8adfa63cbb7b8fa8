// The provider/consumer flow against two vpcep instances over one database, alternating between them on
// every request (docs/deployment.md). The provider signs with AK/SK; the consumer uses a token issued by
// one instance on both.
//
//   node --import tsx scripts/two-instance-demo.ts <url1> <url2> <provider.json> <consumer.json>
//
// The JSON files are what `vpcep accounts create <name> --json` prints.
import fs from 'node:fs'
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { ALGORITHM, canonicalQueryFromRaw, formatSdkDate, sha256Hex, signatureOf, stringToSign } from '../src/identity/signature.ts'

interface Account {
  domain_id: string
  domain_name: string
  project_id: string
  user_name: string
  password: string
  access_key: string
  secret_key: string
}

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: any
}

const [url1, url2, providerFile, consumerFile] = process.argv.slice(2)
if (!url1 || !url2 || !providerFile || !consumerFile) {
  console.error('usage: two-instance-demo.ts <url1> <url2> <provider.json> <consumer.json>')
  process.exit(2)
}
const instances = [url1, url2]
const provider = JSON.parse(fs.readFileSync(providerFile, 'utf8')) as Account
const consumer = JSON.parse(fs.readFileSync(consumerFile, 'utf8')) as Account
let turn = 0

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method, headers }, (response) => {
      let text = ''
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined }))
    })
    request.on('error', reject)
    if (body !== undefined) request.write(body)
    request.end()
  })
}

/** SDK-HMAC-SHA256 over host, x-sdk-date and content-type, as the Huawei Cloud SDKs sign. */
function signed(base: string, account: Account, method: string, path: string, body?: unknown): Promise<Reply> {
  const text = body === undefined ? undefined : JSON.stringify(body)
  const sdkDate = formatSdkDate(new Date())
  const headerValues: Record<string, string> = { 'content-type': 'application/json', host: new URL(base).host, 'x-sdk-date': sdkDate }
  const signedHeaders = Object.keys(headerValues).sort()
  const [rawPath, rawQuery = ''] = path.split('?')
  const toSign = stringToSign({ method, rawPath: rawPath!, canonicalQuery: canonicalQueryFromRaw(rawQuery), signedHeaders, headerValues, payloadHash: sha256Hex(text ?? '') }, sdkDate)
  const authorization = `${ALGORITHM} Access=${account.access_key}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signatureOf(account.secret_key, toSign)}`
  return send(base, method, path, { ...headerValues, authorization }, text)
}

/** Sends on the next instance in turn and prints one line for the step. */
async function step(what: string, call: (base: string) => Promise<Reply>, summary: (reply: Reply) => string): Promise<Reply> {
  const index = turn++ % instances.length
  const reply = await call(instances[index]!)
  console.log(`[instance ${index + 1} ${new URL(instances[index]!).port}] ${what} -> ${reply.status} ${summary(reply)}`)
  if (reply.status >= 300) throw new Error(JSON.stringify(reply.body))
  return reply
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('timed out')
}

const p = `/v1/${provider.project_id}`
const c = `/v1/${consumer.project_id}`

const issued = await step(
  'consumer: POST /v3/auth/tokens',
  (base) =>
    send(base, 'POST', '/v3/auth/tokens', { 'content-type': 'application/json' }, JSON.stringify({
      auth: { identity: { methods: ['password'], password: { user: { name: consumer.user_name, password: consumer.password, domain: { name: consumer.domain_name } } } }, scope: { project: { id: consumer.project_id } } },
    })),
  (r) => `token expires_at=${r.body.token.expires_at}`,
)
const token = String(issued.headers['x-subject-token'])
const withToken = (base: string, method: string, path: string, body?: unknown) =>
  send(base, method, path, { 'content-type': 'application/json', 'x-auth-token': token }, body === undefined ? undefined : JSON.stringify(body))

const created = await step(
  'provider: create endpoint service (approval_enabled)',
  (base) => signed(base, provider, 'POST', `${p}/vpc-endpoint-services`, {
    port_id: randomUUID(), vpc_id: randomUUID(), server_type: 'VM', approval_enabled: true, service_name: 'demo',
    ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
  }),
  (r) => `id=${r.body.id} status=${r.body.status} service_name=${r.body.service_name}`,
)
const serviceId: string = created.body.id
await until(async () => {
  const r = await step('provider: GET service', (base) => signed(base, provider, 'GET', `${p}/vpc-endpoint-services/${serviceId}`), (r) => `status=${r.body.status}`)
  return r.body.status === 'available' ? r : undefined
})
await step(
  'provider: whitelist the consumer (batch-create)',
  (base) => signed(base, provider, 'POST', `${p}/vpc-endpoint-services/${serviceId}/permissions/batch-create`, { permissions: [{ permission: `iam:domain::${consumer.domain_id}`, description: 'consumer' }] }),
  (r) => `permission=${r.body.permissions[0].permission}`,
)
const endpoint = await step(
  'consumer (token): create endpoint',
  (base) => withToken(base, 'POST', `${c}/vpc-endpoints`, { endpoint_service_id: serviceId, vpc_id: randomUUID(), subnet_id: randomUUID() }),
  (r) => `id=${r.body.id} status=${r.body.status} ip=${r.body.ip} marker_id=${r.body.marker_id}`,
)
const endpointId: string = endpoint.body.id
await until(async () => {
  const r = await step('consumer (token): GET endpoint', (base) => withToken(base, 'GET', `${c}/vpc-endpoints/${endpointId}`), (r) => `status=${r.body.status}`)
  return r.body.status === 'creating' ? undefined : r
})
await step(
  'provider: list connections',
  (base) => signed(base, provider, 'GET', `${p}/vpc-endpoint-services/${serviceId}/connections`),
  (r) => r.body.connections.map((x: any) => `${x.id.slice(0, 8)}… ${x.status} marker_id=${x.marker_id}`).join(', '),
)
await step(
  'provider: accept the connection',
  (base) => signed(base, provider, 'POST', `${p}/vpc-endpoint-services/${serviceId}/connections/action`, { action: 'receive', endpoints: [endpointId] }),
  (r) => `status=${r.body.connections[0].status}`,
)
await step('consumer (token): GET endpoint', (base) => withToken(base, 'GET', `${c}/vpc-endpoints/${endpointId}`), (r) => `status=${r.body.status}`)
await step('provider: GET service', (base) => signed(base, provider, 'GET', `${p}/vpc-endpoint-services/${serviceId}`), (r) => `status=${r.body.status} connection_count=${r.body.connection_count}`)
