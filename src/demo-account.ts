import fs from 'node:fs'
import path from 'node:path'
import { accountWire, type NewAccount } from './identity/accounts.ts'
import { sqliteFile } from './store/sqlite-url.ts'

/**
 * Where the demo account's credentials are kept: beside the SQLite file, or in ./data of the working
 * directory for PostgreSQL (which has no file of its own here).
 */
export function demoAccountFile(databaseUrl: string, cwd = process.cwd()): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = sqliteFile(databaseUrl)
    if (file !== ':memory:') return path.join(path.dirname(path.resolve(cwd, file)), 'demo-account.json')
  }
  return path.join(cwd, 'data', 'demo-account.json')
}

/** Writes the credentials owner-only (0600), replacing a stale file from an earlier database. */
export function writeDemoAccount(file: string, account: NewAccount): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(accountWire(account), null, 2)}\n`, { mode: 0o600 })
  fs.renameSync(temporary, file)
}
