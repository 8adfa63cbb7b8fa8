import { createHash, randomBytes } from 'node:crypto'
import type { Store } from '../store/database.ts'
import { hexId } from '../domain/ids.ts'
import { toStoredTime, type Clock } from '../domain/clock.ts'
import { hashPassword, randomString } from './passwords.ts'

/** What `accounts create` hands to the operator, once: the secrets are not shown again. */
export interface NewAccount {
  domainId: string
  domainName: string
  projectId: string
  projectName: string
  userName: string
  password: string
  accessKey: string
  secretKey: string
}

/** A new account under the names `accounts create --json` prints and the demo account file holds. */
export function accountWire(account: NewAccount): Record<string, string> {
  return {
    domain_id: account.domainId,
    domain_name: account.domainName,
    project_id: account.projectId,
    project_name: account.projectName,
    user_name: account.userName,
    password: account.password,
    access_key: account.accessKey,
    secret_key: account.secretKey,
  }
}

export class AccountExistsError extends Error {}

export const ACCOUNT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{2,63}$/

/**
 * Creates an account (a Huawei "domain"), its project in `region` (named after the region, as in the
 * cloud), one user with a generated password, and an AK/SK pair for that user.
 */
export async function createAccount(store: Store, clock: Clock, region: string, name: string): Promise<NewAccount> {
  if (!ACCOUNT_NAME_PATTERN.test(name)) {
    throw new Error('account names are 3-64 characters: a letter, then letters, digits, _ or -')
  }
  const now = toStoredTime(clock.now())
  const account: NewAccount = {
    domainId: hexId(),
    domainName: name,
    projectId: hexId(),
    projectName: region,
    userName: name,
    password: `${randomString(20)}!9a`,
    accessKey: randomString(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
    secretKey: randomString(40),
  }
  const passwordHash = await hashPassword(account.password)
  await store.transaction(async (tx) => {
    const existing = await tx.selectFrom('accounts').select('id').where('name', '=', name).executeTakeFirst()
    if (existing) throw new AccountExistsError(`an account named "${name}" already exists`)
    await tx.insertInto('accounts').values({ id: account.domainId, name, createdAt: now }).execute()
    await tx.insertInto('projects').values({ id: account.projectId, accountId: account.domainId, name: region, createdAt: now }).execute()
    const userId = hexId()
    await tx.insertInto('users').values({ id: userId, accountId: account.domainId, name: account.userName, passwordHash, createdAt: now }).execute()
    await tx
      .insertInto('credentials')
      .values({ accessKey: account.accessKey, secretKey: store.secrets.seal(account.secretKey), userId, accountId: account.domainId, createdAt: now })
      .execute()
  })
  return account
}

/** Accounts people can sign in to; the built-in platform account that owns the public catalog has no users. */
export async function countAccounts(store: Store): Promise<number> {
  const row = await store.db.selectFrom('users').select((eb) => eb.fn.count<number>('accountId').distinct().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Tokens are random; only their SHA-256 is stored, so a database dump holds no usable token. */
export function newToken(): { token: string; hash: string } {
  const token = `vpcep1.${randomBytes(48).toString('base64url')}`
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export class AccountNotFoundError extends Error {}

/** What `accounts rotate-keys` hands to the operator, once. */
export interface RotatedKeys {
  domainId: string
  domainName: string
  projectId: string
  userName: string
  accessKey: string
  secretKey: string
}

/**
 * Replaces the account's AK/SK: every access key it had is deleted and one new pair is issued to its
 * first user, in one transaction. Requests signed with an old key fail from the next one on (keys are
 * looked up per request, nothing caches them). Tokens are not keys and stay valid until they expire.
 */
export async function rotateKeys(store: Store, clock: Clock, name: string): Promise<RotatedKeys> {
  const accessKey = randomString(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  const secretKey = randomString(40)
  return store.transaction(async (tx) => {
    const { account, user, project } = await accountUser(tx, name)
    await tx.deleteFrom('credentials').where('accountId', '=', account.id).execute()
    await tx.insertInto('credentials').values({ accessKey, secretKey: store.secrets.seal(secretKey), userId: user.id, accountId: account.id, createdAt: toStoredTime(clock.now()) }).execute()
    return { domainId: account.id, domainName: account.name, projectId: project.id, userName: user.name, accessKey, secretKey }
  })
}

/** What `accounts show` answers: ids and names to quote, never a password or a secret key. */
export interface AccountDetails {
  domainId: string
  domainName: string
  projectId: string
  projectName: string
  userId: string
  userName: string
  /** Access key ids (the AK half; the secret half is never shown again). */
  accessKeys: string[]
  createdAt: string
}

/** An account that people sign in to, by name: the platform account that owns the public catalog has no users. */
async function accountUser(db: Store['db'], name: string) {
  const account = await db.selectFrom('accounts').select(['id', 'name', 'createdAt']).where('name', '=', name).executeTakeFirst()
  const user = account && (await db.selectFrom('users').select(['id', 'name']).where('accountId', '=', account.id).orderBy('createdAt').orderBy('id').executeTakeFirst())
  if (!account || !user) throw new AccountNotFoundError(`there is no account named "${name}"`)
  const project = await db.selectFrom('projects').select(['id', 'name']).where('accountId', '=', account.id).orderBy('createdAt').orderBy('id').executeTakeFirstOrThrow()
  return { account, user, project }
}

export async function showAccount(store: Store, name: string): Promise<AccountDetails> {
  const { account, user, project } = await accountUser(store.db, name)
  const keys = await store.db.selectFrom('credentials').select('accessKey').where('accountId', '=', account.id).orderBy('createdAt').orderBy('accessKey').execute()
  return {
    domainId: account.id,
    domainName: account.name,
    projectId: project.id,
    projectName: project.name,
    userId: user.id,
    userName: user.name,
    accessKeys: keys.map((k) => k.accessKey),
    createdAt: account.createdAt,
  }
}

/** What `accounts reset-password` hands to the operator, once. */
export interface NewPassword {
  domainId: string
  domainName: string
  projectId: string
  userName: string
  password: string
}

/**
 * Gives the account's user a new generated password, in one transaction with revoking every token the
 * user holds: whoever knew the old password (the reason for a reset, often) loses the session it bought.
 * AK/SK pairs are not touched (`rotateKeys` replaces those).
 */
export async function resetPassword(store: Store, name: string): Promise<NewPassword> {
  const password = `${randomString(20)}!9a`
  const passwordHash = await hashPassword(password)
  return store.transaction(async (tx) => {
    const { account, user, project } = await accountUser(tx, name)
    await tx.updateTable('users').set({ passwordHash }).where('id', '=', user.id).execute()
    await tx.deleteFrom('tokens').where('userId', '=', user.id).execute()
    return { domainId: account.id, domainName: account.name, projectId: project.id, userName: user.name, password }
  })
}
