import type { Command } from 'commander'
import { CliError, EXIT } from '../errors.ts'
import { printJson, printTable, println } from '../output.ts'

/*
 * Administration on the database directly (VPCEP_DATABASE_URL), whether or not a server runs. The
 * database modules load only when one of these commands runs, so API commands start quickly.
 */

const DATABASE_NOTE = '\nThe database is VPCEP_DATABASE_URL (default sqlite:./data/vpcep.db).\n'

export async function withStore<T>(work: (store: import('../../store/database.ts').Store, config: import('../../config.ts').Config) => Promise<T>): Promise<T> {
  const { loadConfig, ConfigError } = await import('../../config.ts')
  const { openStore } = await import('../../store/database.ts')
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage)
    throw error
  }
  let store
  try {
    store = await openStore(config.databaseUrl)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const unreachable = typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|SQLITE_CANTOPEN|28P01|3D000)$/.test(code)
    const where = config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@')
    throw new CliError(`cannot open the database ${where}: ${(error as Error).message} — check VPCEP_DATABASE_URL`, unreachable ? EXIT.unavailable : EXIT.error)
  }
  try {
    return await work(store, config)
  } finally {
    await store.close()
  }
}

function registerAccounts(program: Command): void {
  const accounts = program.command('accounts').description('manage accounts (domains), their project, user and AK/SK (database)')
  accounts.addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ vpcep accounts list\n`)

  accounts
    .command('create')
    .argument('<name>', 'account name: 3-64 characters, a letter first, then letters, digits, _ or -')
    .option('--json', 'print one JSON object (for scripts)')
    .description('create an account with one project in the server region, one user and an AK/SK pair')
    .addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ VPCEP_DATABASE_URL=sqlite:./data/vpcep.db vpcep accounts create provider --json\n`)
    .action(async (name: string, options: { json?: boolean }) => {
      const { AccountExistsError, accountWire, createAccount } = await import('../../identity/accounts.ts')
      const { systemClock } = await import('../../domain/clock.ts')
      await withStore(async (store, config) => {
        let account
        try {
          account = await createAccount(store, systemClock, config.region, name)
        } catch (error) {
          if (error instanceof AccountExistsError) throw new CliError(`${error.message}; "vpcep accounts rotate-keys ${name}" issues new keys for it`, EXIT.error)
          if (error instanceof Error && /account names are/.test(error.message)) throw new CliError(error.message, EXIT.usage)
          throw error
        }
        const wire = accountWire(account)
        if (options.json) return printJson(wire)
        println(`Created account ${name}. Keep these; the password and secret key are not shown again.`)
        for (const [key, value] of Object.entries(wire)) println(`  ${key.padEnd(13)} ${value}`)
      })
    })

  accounts
    .command('list')
    .option('--json', 'print a JSON array (for scripts)')
    .description('list the accounts people use: name, domain id, project id, number of access keys (never secrets)')
    .addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ vpcep accounts list --json\n`)
    .action(async (options: { json?: boolean }) => {
      await withStore(async (store) => {
        const rows = await store.db
          .selectFrom('accounts as a')
          .select(['a.id', 'a.name', 'a.createdAt'])
          .select((eb) => [
            eb.selectFrom('projects as p').select('p.id').whereRef('p.accountId', '=', 'a.id').orderBy('p.createdAt').orderBy('p.id').limit(1).as('projectId'),
            eb.selectFrom('credentials as c').select((c) => c.fn.countAll<number>().as('n')).whereRef('c.accountId', '=', 'a.id').as('accessKeys'),
          ])
          // The built-in platform account that owns the public catalog has no users: not listed.
          .where((eb) => eb.exists(eb.selectFrom('users as u').select('u.id').whereRef('u.accountId', '=', 'a.id')))
          .orderBy('a.name')
          .execute()
        const accounts = rows.map((r) => ({ name: r.name, domain_id: r.id, project_id: r.projectId ?? '', access_keys: Number(r.accessKeys ?? 0), created_at: r.createdAt }))
        if (options.json) return printJson(accounts)
        printTable(accounts, [
          { header: 'NAME', value: (a) => a.name },
          { header: 'DOMAIN_ID', value: (a) => a.domain_id },
          { header: 'PROJECT_ID', value: (a) => a.project_id },
          { header: 'ACCESS_KEYS', value: (a) => String(a.access_keys) },
          { header: 'CREATED', value: (a) => a.created_at },
        ], '(no accounts yet: "vpcep accounts create <name>")')
      })
    })

  accounts
    .command('rotate-keys')
    .argument('<name>', 'the account')
    .option('--json', 'print one JSON object (for scripts)')
    .description("replace the account's AK/SK: the old key stops working at once; the new pair is shown once")
    .addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ vpcep accounts rotate-keys provider --json\n`)
    .action(async (name: string, options: { json?: boolean }) => {
      const { rotateKeys } = await import('../../identity/accounts.ts')
      const { systemClock } = await import('../../domain/clock.ts')
      await withStore(async (store) => {
        const keys = await knownAccount(name, () => rotateKeys(store, systemClock, name))
        const wire = { domain_id: keys.domainId, domain_name: keys.domainName, project_id: keys.projectId, user_name: keys.userName, access_key: keys.accessKey, secret_key: keys.secretKey }
        if (options.json) return printJson(wire)
        println(`New keys for account ${name}; the old ones no longer work. Keep these; the secret key is not shown again.`)
        for (const [key, value] of Object.entries(wire)) println(`  ${key.padEnd(11)} ${value}`)
      })
    })

  accounts
    .command('show')
    .argument('<name>', 'the account')
    .option('--json', 'print one JSON object (for scripts)')
    .description('show an account: domain, project and user ids and names, access key ids (never a password or secret key)')
    .addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ vpcep accounts show demo\n`)
    .action(async (name: string, options: { json?: boolean }) => {
      const { showAccount } = await import('../../identity/accounts.ts')
      await withStore(async (store) => {
        const account = await knownAccount(name, () => showAccount(store, name))
        const wire = {
          domain_id: account.domainId,
          domain_name: account.domainName,
          project_id: account.projectId,
          project_name: account.projectName,
          user_id: account.userId,
          user_name: account.userName,
          access_keys: account.accessKeys,
          created_at: account.createdAt,
        }
        if (options.json) return printJson(wire)
        for (const [key, value] of Object.entries(wire)) println(`${key.padEnd(12)} ${Array.isArray(value) ? value.join(', ') || '(none: "vpcep accounts rotate-keys" issues a pair)' : value}`)
      })
    })

  accounts
    .command('reset-password')
    .argument('<name>', 'the account')
    .option('--json', 'print one JSON object (for scripts)')
    .description("give the account's user a new password, shown once; the user's tokens stop working, AK/SK pairs do not")
    .addHelpText('after', `${DATABASE_NOTE}\nSign in to the console again with the account name, the user name and the new password.\n\nExample:\n  $ vpcep accounts reset-password demo\n`)
    .action(async (name: string, options: { json?: boolean }) => {
      const { resetPassword } = await import('../../identity/accounts.ts')
      await withStore(async (store) => {
        const reset = await knownAccount(name, () => resetPassword(store, name))
        const wire = { domain_id: reset.domainId, domain_name: reset.domainName, project_id: reset.projectId, user_name: reset.userName, password: reset.password }
        if (options.json) return printJson(wire)
        println(`New password for user ${reset.userName} of account ${name}; the old one and its tokens no longer work. Keep it; it is not shown again.`)
        for (const [key, value] of Object.entries(wire)) println(`  ${key.padEnd(11)} ${value}`)
      })
    })
}

/** Runs `work`, turning "no such account" into the CLI's not-found exit with a hint. */
async function knownAccount<T>(name: string, work: () => Promise<T>): Promise<T> {
  const { AccountNotFoundError } = await import('../../identity/accounts.ts')
  try {
    return await work()
  } catch (error) {
    if (error instanceof AccountNotFoundError) throw new CliError(`${error.message} — "vpcep accounts list" shows the accounts`, EXIT.notFound)
    throw error
  }
}

function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .option('--json', 'print one JSON object (for scripts)')
    .description('bring the database schema up to date (the server also does this when it starts)')
    .addHelpText('after', `${DATABASE_NOTE}\nExample:\n  $ VPCEP_DATABASE_URL=postgres://vpcep@db/vpcep vpcep migrate\n`)
    .action(async (options: { json?: boolean }) => {
      const { sql } = await import('kysely')
      const startedAt = new Date().toISOString()
      await withStore(async (store, config) => {
        // Kysely's bookkeeping: one row per applied migration, stamped when it ran.
        const result = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name`.execute(store.db)
        const applied = result.rows.map((r) => r.name)
        const now = result.rows.filter((r) => r.timestamp >= startedAt).map((r) => r.name)
        const report = { database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'), dialect: store.dialect, migrations: applied, applied_now: now, current: applied.at(-1) ?? '' }
        if (options.json) return printJson(report)
        println(`Database ${report.database} (${report.dialect}) is up to date at ${report.current}.`)
        println(now.length ? `Applied now: ${now.join(', ')}.` : 'Nothing to apply.')
      })
    })
}

function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the server (as "npm start"): settings from VPCEP_* variables, see the README')
    .addHelpText('after', '\nExample:\n  $ VPCEP_PORT=9880 VPCEP_DATABASE_URL=sqlite:./data/vpcep.db vpcep serve\n')
    .action(async () => {
      await import('../../main.ts')
    })
}

export function registerAdmin(program: Command): void {
  registerAccounts(program)
  registerMigrate(program)
  registerServe(program)
}
