import type { Store } from '../store/database.ts'
import { toStoredTime, type Clock } from '../domain/clock.ts'
import { ApiError } from '../domain/errors.ts'
import { hashToken, newToken } from './accounts.ts'
import { verifyPassword } from './passwords.ts'
import type { FailureThrottle } from './throttle.ts'
import type { BoundedWork } from './work-queue.ts'

/** What stands between a password guesser and the CPU: failure backoff and a bound on scrypt work. */
export interface SignInGuards {
  throttle: Pick<FailureThrottle, 'begin'>
  passwordChecks: BoundedWork
}

export interface PasswordLogin {
  domainName?: string
  domainId?: string
  userName: string
  password: string
  /** Project scope: by id, or by name (the region name) within the user's account. */
  projectId?: string
  projectName?: string
}

export interface IssuedToken {
  token: string
  issuedAt: string
  expiresAt: string
  user: { id: string; name: string }
  account: { id: string; name: string }
  project: { id: string; name: string }
}

// A scrypt of a fixed password, so an unknown user costs as much time as a wrong password.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

/**
 * Keystone-style password authentication scoped to one project; tokens live in the database. Failures
 * count against the user and against `source`, the caller's address.
 */
export async function issueToken(store: Store, clock: Clock, ttlSeconds: number, login: PasswordLogin, guards: SignInGuards, source: string): Promise<IssuedToken> {
  const user = await store.db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.accountId')
    .select(['users.id as userId', 'users.name as userName', 'users.passwordHash', 'accounts.id as accountId', 'accounts.name as accountName'])
    .where('users.name', '=', login.userName)
    .where((eb) => (login.domainId ? eb('accounts.id', '=', login.domainId) : eb('accounts.name', '=', login.domainName ?? '')))
    .executeTakeFirst()
  // Unknown users are throttled under the name given, exactly as known ones are, so the answers match.
  const userKey = user ? `user:${user.userId}` : `user:?${login.domainId ?? ''}/${login.domainName ?? ''}/${login.userName}`
  const attempt = guards.throttle.begin(
    [
      { key: userKey, weight: 1, resetOnSuccess: true, countInFlight: true },
      { key: `address:${source}`, weight: 4, resetOnSuccess: false, countInFlight: true },
    ],
    'sign-in attempts',
  )
  let passwordOk: boolean
  try {
    passwordOk = await guards.passwordChecks.run(() => verifyPassword(login.password, user?.passwordHash ?? DUMMY_HASH))
  } catch (error) {
    attempt.abandoned()
    throw error
  }
  if (!user || !passwordOk) {
    attempt.failed()
    throw new ApiError('authenticationFailed', 'The user name, account or password is incorrect.')
  }
  attempt.succeeded()

  let projectQuery = store.db.selectFrom('projects').select(['id', 'name']).where('accountId', '=', user.accountId)
  if (login.projectId) projectQuery = projectQuery.where('id', '=', login.projectId)
  else if (login.projectName) projectQuery = projectQuery.where('name', '=', login.projectName)
  const project = await projectQuery.orderBy('createdAt').executeTakeFirst()
  if (!project) throw new ApiError('forbidden', 'The requested project scope is not a project of this account.')

  const now = clock.now()
  const expires = new Date(now.getTime() + ttlSeconds * 1000)
  const { token, hash } = newToken()
  await store.db
    .insertInto('tokens')
    .values({ tokenHash: hash, userId: user.userId, accountId: user.accountId, projectId: project.id, expiresAt: toStoredTime(expires), createdAt: toStoredTime(now) })
    .execute()
  return {
    token,
    issuedAt: toStoredTime(now),
    expiresAt: toStoredTime(expires),
    user: { id: user.userId, name: user.userName },
    account: { id: user.accountId, name: user.accountName },
    project: { id: project.id, name: project.name },
  }
}

/** Revokes `token` if it belongs to `accountId`; answers whether it did. Takes effect on the next request everywhere. */
export async function revokeToken(store: Store, accountId: string, token: string): Promise<boolean> {
  const result = await store.db.deleteFrom('tokens').where('tokenHash', '=', hashToken(token)).where('accountId', '=', accountId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** What a live token of `accountId` grants (Keystone token validation); undefined when unknown or expired. */
export async function describeToken(store: Store, clock: Clock, accountId: string, token: string): Promise<Omit<IssuedToken, 'token'> | undefined> {
  const row = await store.db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.userId')
    .innerJoin('accounts', 'accounts.id', 'tokens.accountId')
    .innerJoin('projects', 'projects.id', 'tokens.projectId')
    .select(['tokens.createdAt', 'tokens.expiresAt', 'users.id as userId', 'users.name as userName', 'accounts.id as accountId', 'accounts.name as accountName', 'projects.id as projectId', 'projects.name as projectName'])
    .where('tokens.tokenHash', '=', hashToken(token))
    .where('tokens.accountId', '=', accountId)
    .where('tokens.expiresAt', '>', toStoredTime(clock.now()))
    .executeTakeFirst()
  if (!row) return undefined
  return {
    issuedAt: row.createdAt,
    expiresAt: row.expiresAt,
    user: { id: row.userId, name: row.userName },
    account: { id: row.accountId, name: row.accountName },
    project: { id: row.projectId, name: row.projectName },
  }
}
