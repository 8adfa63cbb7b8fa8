import type { Store } from '../store/database.ts'
import { prepared } from '../store/prepared.ts'
import type { Clock } from '../domain/clock.ts'
import { toStoredTime } from '../domain/clock.ts'
import { ApiError } from '../domain/errors.ts'
import { hashToken } from './accounts.ts'
import {
  EMPTY_BODY_SHA256,
  MAX_CLOCK_SKEW_MS,
  canonicalQueryFromRaw,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
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

export class Authenticator {
  /**
   * Stored (sealed) secret → secret: decrypting is a pure function of the stored text, so this never
   * answers for a key that changed (a new key is new stored text, read from the database every request).
   */
  private readonly openedSecrets = new Map<string, string>()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
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
    if (!parsed.signedHeaders.includes('x-sdk-date') || !parsed.signedHeaders.includes('host')) {
      throw denied('SignedHeaders must include host and x-sdk-date.')
    }
    const headerValues: Record<string, string> = {}
    for (const name of parsed.signedHeaders) {
      const value = headerValue(request.headers, name)
      if (value === undefined) throw denied(`Signed header ${name} is missing from the request.`)
      headerValues[name] = value
    }
    const sdkDate = headerValues['x-sdk-date']!.trim()
    const signedAt = parseSdkDate(sdkDate)
    if (!signedAt) throw denied('X-Sdk-Date must be YYYYMMDDTHHMMSSZ.')
    if (Math.abs(this.clock.now().getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw denied('X-Sdk-Date is more than 15 minutes away from the server time.')
    }
    const { rows } = await credentialWithProjects(this.store.db, parsed.accessKey)
    const credential = rows[0]
    if (!credential) throw denied('Unknown access key.')

    const queryStart = request.rawUrl.indexOf('?')
    const rawPath = queryStart < 0 ? request.rawUrl : request.rawUrl.slice(0, queryStart)
    const rawQuery = queryStart < 0 ? '' : request.rawUrl.slice(queryStart + 1)
    const contentSha = headerValue(request.headers, 'x-sdk-content-sha256')
    const payloadHash = contentSha ?? (request.rawBody?.length ? sha256Hex(request.rawBody) : EMPTY_BODY_SHA256)
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
