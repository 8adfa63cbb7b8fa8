import { Command, CommanderError } from 'commander'
import { loadConfig, ConfigError } from '../config.ts'
import { openStore } from '../store/database.ts'
import { AccountExistsError, createAccount } from '../identity/accounts.ts'
import { systemClock } from '../domain/clock.ts'

/** `vpcep`: administration that works on the database directly, whether or not a server runs. */
const program = new Command()
  .name('vpcep')
  .description('Self-hosted Huawei Cloud VPC Endpoint (VPCEP) control plane')
  .showHelpAfterError()
  .exitOverride()

const accounts = program.command('accounts').description('manage accounts (domains), their project, user and AK/SK')

accounts
  .command('create')
  .argument('<name>', 'account name: 3-64 characters, a letter first, then letters, digits, _ or -')
  .option('--json', 'print one JSON object (for scripts)')
  .description('create an account with one project in the server region, one user and an AK/SK pair')
  .addHelpText('after', '\nExample:\n  VPCEP_DATABASE_URL=sqlite:./data/vpcep.db npx vpcep accounts create provider --json\n')
  .action(async (name: string, options: { json?: boolean }) => {
    const config = loadConfig()
    const store = await openStore(config.databaseUrl)
    try {
      const account = await createAccount(store, systemClock, config.region, name)
      const wire = {
        domain_id: account.domainId,
        domain_name: account.domainName,
        project_id: account.projectId,
        project_name: account.projectName,
        user_name: account.userName,
        password: account.password,
        access_key: account.accessKey,
        secret_key: account.secretKey,
      }
      if (options.json) process.stdout.write(`${JSON.stringify(wire)}\n`)
      else {
        process.stdout.write(`Created account ${name}. Keep these; the password and secret key are not shown again.\n`)
        for (const [key, value] of Object.entries(wire)) process.stdout.write(`  ${key.padEnd(13)} ${value}\n`)
      }
    } finally {
      await store.close()
    }
  })

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode)
  const message = error instanceof ConfigError || error instanceof AccountExistsError ? error.message : (error as Error).message
  process.stderr.write(`vpcep: ${message}\n`)
  process.exit(error instanceof AccountExistsError ? 3 : 1)
}
