// Auto-approval bot: accepts connection requests to your endpoint services from the accounts you trust.
// Run: VPCEP_URL=http://127.0.0.1:9880 VPCEP_DOMAIN=<domain name> VPCEP_USER=<user> VPCEP_PASSWORD=<password> \
//      PROJECT_ID=<project id> WEBHOOK_SECRET=<secret from the subscription> TRUSTED_DOMAINS=<id,id> node auto-approve.mjs
import { createServer } from 'node:http'
import { createHmac, timingSafeEqual } from 'node:crypto'

const env = process.env
const trusted = new Set((env.TRUSTED_DOMAINS ?? '').split(',').filter(Boolean))

/** The `vpcep-signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the secret>`. */
function verified(header = '', body) {
  const { t, v1 = '' } = Object.fromEntries(header.split(',').map((part) => part.split('=')))
  const expected = createHmac('sha256', env.WEBHOOK_SECRET).update(`${t}.${body}`).digest()
  const given = Buffer.from(v1, 'hex')
  return Math.abs(Date.now() / 1000 - Number(t)) <= 300 && given.length === expected.length && timingSafeEqual(given, expected)
}

let token
async function signIn() {
  const user = { name: env.VPCEP_USER, password: env.VPCEP_PASSWORD, domain: { name: env.VPCEP_DOMAIN } }
  const body = { auth: { identity: { methods: ['password'], password: { user } }, scope: { project: { id: env.PROJECT_ID } } } }
  const res = await fetch(`${env.VPCEP_URL}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  token = res.headers.get('x-subject-token')
}

/** Accepts the connection; signs in again once if the token has expired. */
async function accept(data, retried = false) {
  if (!token) await signIn()
  const res = await fetch(`${env.VPCEP_URL}/v1/${env.PROJECT_ID}/vpc-endpoint-services/${data.endpoint_service_id}/connections/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ action: 'receive', endpoints: [data.endpoint_id] }),
  })
  if (res.status === 401 && !retried) {
    token = undefined
    return accept(data, true)
  }
  return res.ok
}

const server = createServer(async (req, res) => {
  let body = ''
  for await (const chunk of req) body += chunk
  if (!verified(req.headers['vpcep-signature'], body)) return res.writeHead(401).end()
  const { type, data } = JSON.parse(body)
  if (type === 'vpcep.connection.requested' && data.status === 'pendingAcceptance' && trusted.has(data.domain_id)) {
    // A non-2xx answer makes vpcep deliver the event again later.
    return res.writeHead((await accept(data)) ? 200 : 503).end()
  }
  res.writeHead(204).end()
})
server.listen(Number(env.PORT ?? 8787), '127.0.0.1', () => console.log(`auto-approve listening on http://127.0.0.1:${server.address().port}`))
