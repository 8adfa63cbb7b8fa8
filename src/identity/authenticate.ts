import type { Store } from '../store/database.ts'
import { prepared } from '../store/prepared.ts'
import type { Clock } from '../domain/clock.ts'
import { toStoredTime } from '../domain/clock.ts'
import { ApiError } from '../domain/errors.ts'
import { hashToken } from './accounts.ts'
import type { FailureThrottle } from './throttle.ts'
import {
  type ParsedAuthorization,
  MAX_CLOCK_SKEW_MS,
  canonicalQueryFromRaw,
  parseAuthorization,
  parseSdkDate,
  payloadHashOf,
  signatureOf,
  signaturesEqual,
  stringToSign,
} from './signature.ts'

/** Who is calling: the account (domain) and the projects the credential may act in. */
export interface Principal {
  accountId: string
  userId: string
  projectIds: string[]
  method: 'aksk' | 'token'
}

/** The parts of an HTTP request that authentication reads; built by the HTTP layer. */
export interface AuthRequest {
  method: string
  /** Path and query exactly as received on the request line. */
  rawUrl: string
  /** Lower-case header names, as Node delivers them. */
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer | undefined
}

function headerValue(headers: AuthRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function denied(reason: string): ApiError {
  return new ApiError('authenticationFailed', reason)
}

/** The credential with each project of its account, one row per project: one query for both. */
const credentialWithProjects = prepared((db, accessKey: string) =>
  db
    .selectFrom('credentials')
    .leftJoin('projects', 'projects.accountId', 'credentials.accountId')
    .select(['credentials.secretKey', 'credentials.userId', 'credentials.accountId', 'projects.id as projectId'])
    .where('credentials.accessKey', '=', accessKey),
  { cacheable: true },
)

const tokenByHash = prepared((db, tokenHash: string) =>
  db.selectFrom('tokens').select(['userId', 'accountId', 'projectId', 'expiresAt']).where('tokenHash', '=', tokenHash),
  { cacheable: true },
)

export interface SignaturePolicy {
  /** Accept a signed `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, whose signature leaves the body uncovered. */
  allowUnsignedPayload: boolean
  /** Lower-case host names (or `name:port`) a signature may be made for; empty: any. */
  allowedHosts: string[]
  /** Counts failed signatures per access key. */
  throttle: Pick<FailureThrottle, 'begin'>
}

/** The name part of a Host value: `[::1]:9880` → `[::1]`, `api.example:443` → `api.example`. */
function hostName(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':')
  return end > 0 && end < host.length ? host.slice(0, end) : host
}

export function hostAllowed(allowedHosts: string[], host: string): boolean {
  if (allowedHosts.length === 0) return true
  const given = host.trim().toLowerCase()
  const name = hostName(given)
  return allowedHosts.some((allowed) => allowed === given || allowed === name)
}

export class Authenticator {
  /**
   * Stored (sealed) secret → secret: decrypting is a pure function of the stored text, so this never
   * answers for a key that changed (a new key is new stored text, read from the database every request).
   */
  private readonly openedSecrets = new Map<string, string>()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly policy: SignaturePolicy,
  ) {}

  /** Verifies an AK/SK signature or an X-Auth-Token; throws 401 (EndPoint.0003) with the reason otherwise. */
  async authenticate(request: AuthRequest): Promise<Principal> {
    const authorization = headerValue(request.headers, 'authorization')
    if (authorization) return this.verifySignature(request, authorization)
    const token = headerValue(request.headers, 'x-auth-token')
    if (token) return this.verifyToken(token)
    throw denied('Missing Authorization or X-Auth-Token header.')
  }

  private async verifySignature(request: AuthRequest, authorization: string): Promise<Principal> {
    const parsed = parseAuthorization(authorization)
    if (!parsed) throw denied('Malformed Authorization header; expected SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...')
    for (const required of ['host', 'x-sdk-date']) {
      if (!parsed.signedHeaders.includes(required)) throw denied(`SignedHeaders must include ${required}.`)
    }
    const headerValues: Record<string, string> = {}
    for (const name of parsed.signedHeaders) {
      const value = headerValue(request.headers, name)
      if (value === undefined) throw denied(`Signed header ${name} is missing from the request.`)
      headerValues[name] = value
    }
    if (!hostAllowed(this.policy.allowedHosts, headerValues.host!)) throw denied('The request is signed for a host this server does not answer to.')
    const sdkDate = headerValues['x-sdk-date']!.trim()
    const signedAt = parseSdkDate(sdkDate)
    if (!signedAt) throw denied('X-Sdk-Date must be YYYYMMDDTHHMMSSZ.')
    if (Math.abs(this.clock.now().getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw denied('X-Sdk-Date is more than 15 minutes away from the server time.')
    }
    const payload = payloadHashOf(request.rawBody, headerValues['x-sdk-content-sha256'], this.policy.allowUnsignedPayload)
    if ('refused' in payload) throw denied(payload.refused)
    const attempt = this.policy.throttle.begin([{ key: `access-key:${parsed.accessKey}`, weight: 4, resetOnSuccess: true, countInFlight: false }], 'signatures with this access key')
    let principal: Principal
    try {
      principal = await this.checkSignature(request, parsed, headerValues, sdkDate, payload.hash)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) attempt.failed()
      else attempt.abandoned()
      throw error
    }
    attempt.succeeded()
    return principal
  }

  private async checkSignature(request: AuthRequest, parsed: ParsedAuthorization, headerValues: Record<string, string>, sdkDate: string, payloadHash: string): Promise<Principal> {
    const { rows } = await credentialWithProjects(this.store.db, parsed.accessKey)
    const credential = rows[0]
    if (!credential) throw denied('Unknown access key.')

    const queryStart = request.rawUrl.indexOf('?')
    const rawPath = queryStart < 0 ? request.rawUrl : request.rawUrl.slice(0, queryStart)
    const rawQuery = queryStart < 0 ? '' : request.rawUrl.slice(queryStart + 1)
    // Outside the try below: a secret that does not decrypt is a server fault (wrong VPCEP_MASTER_KEY), not a bad request.
    const secretKey = this.openSecret(credential.secretKey)
    let expected: string
    try {
      const toSign = stringToSign(
        { method: request.method, rawPath, canonicalQuery: canonicalQueryFromRaw(rawQuery), signedHeaders: parsed.signedHeaders, headerValues, payloadHash },
        sdkDate,
      )
      expected = signatureOf(secretKey, toSign)
    } catch {
      throw denied('The request URL is not validly percent-encoded.')
    }
    if (!signaturesEqual(expected, parsed.signature)) throw denied('The signature does not match.')
    const projectIds = rows.flatMap((row) => (row.projectId === null ? [] : [row.projectId]))
    return { accountId: credential.accountId, userId: credential.userId, projectIds, method: 'aksk' }
  }

  private openSecret(stored: string): string {
    let secret = this.openedSecrets.get(stored)
    if (secret === undefined) {
      secret = this.store.secrets.open(stored)
      if (this.openedSecrets.size >= 10_000) this.openedSecrets.clear()
      this.openedSecrets.set(stored, secret)
    }
    return secret
  }

  private async verifyToken(token: string): Promise<Principal> {
    if (token.length > 2048) throw denied('X-Auth-Token is longer than 2048 characters.')
    const [row] = (await tokenByHash(this.store.db, hashToken(token))).rows
    if (!row || row.expiresAt <= toStoredTime(this.clock.now())) throw denied('The token is invalid or has expired.')
    return { accountId: row.accountId, userId: row.userId, projectIds: [row.projectId], method: 'token' }
  }
}
