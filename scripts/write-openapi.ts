// Writes docs/openapi.json, the committed copy of the API description the server serves at GET /openapi.json.
// Run with `npm run openapi`; test/api/openapi.test.ts fails when the copy is out of date.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.ts'
import { openStore } from '../src/store/database.ts'
import { buildApp } from '../src/app.ts'
import { serializeOpenApi } from '../src/api/routes/openapi.ts'

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url))

// Default settings over a throwaway in-memory database; the test builds the app the same way.
const databaseUrl = 'sqlite::memory:'
const store = await openStore(databaseUrl)
const app = buildApp({ config: loadConfig({ VPCEP_DATABASE_URL: databaseUrl }), store, logger: false })
try {
  await app.server.ready()
  fs.writeFileSync(target, serializeOpenApi(app.server.swagger()))
  console.log(`wrote ${target}`)
} finally {
  await app.close()
  await store.close()
}
