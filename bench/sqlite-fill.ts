// Fills a project of a SQLite database with endpoints straight into the file, for the benchmarks that
// need more rows than the API can create in the time a benchmark has (bench/run.ts, bench/micro-list.ts).
import { randomInt, randomUUID } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'

/**
 * Fills the project up to `total` endpoints by inserting straight into the SQLite file on a connection of
 * its own (the server stopped, or running: WAL lets both): copies of an endpoint the API created, with
 * their tag and their creation event, each with its own id, marker id, address and creation time.
 * Answers how many rows it inserted.
 */
export function bulkInsertSqlite(file: string, projectId: string, total: number): number {
  const db = new SqliteDatabase(file)
  try {
    db.pragma('journal_mode = WAL')
    const existing = (db.prepare('select count(*) as n from endpoints where project_id = ?').get(projectId) as { n: number }).n
    const missing = total - existing
    if (missing <= 0) return 0
    const template = db.prepare(`select * from endpoints where project_id = ? and status = 'pendingAcceptance' order by created_at limit 1`).get(projectId) as Record<string, unknown>
    const tags = db.prepare('select * from tags where resource_type = ? and resource_id = ?').all('endpoint', template.id) as Array<Record<string, unknown>>
    const event = db.prepare(`select * from events where resource_type = 'endpoint' and resource_id = ? and type = 'endpoint.created'`).get(template.id) as Record<string, unknown>
    const markers = new Set((db.prepare('select marker_id from endpoints').all() as Array<{ marker_id: number }>).map((r) => r.marker_id))
    const columns = Object.keys(template)
    const insertEndpoint = db.prepare(`insert into endpoints (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`)
    const tagColumns = tags.length > 0 ? Object.keys(tags[0]!) : []
    const insertTag = tags.length > 0 ? db.prepare(`insert into tags (${tagColumns.join(', ')}) values (${tagColumns.map((c) => `@${c}`).join(', ')})`) : undefined
    const eventColumns = Object.keys(event).filter((c) => c !== 'seq')
    const insertEvent = db.prepare(`insert into events (${eventColumns.join(', ')}) values (${eventColumns.map((c) => `@${c}`).join(', ')})`)
    const subnet = randomUUID()
    const start = Date.parse(template.created_at as string) - missing * 1000
    let ipNumber = 3232235520 + 1 // 192.168.0.1
    db.transaction(() => {
      for (let i = 0; i < missing; i++) {
        const id = randomUUID()
        let marker = randomInt(16_777_216, 2_147_483_647)
        while (markers.has(marker)) marker = randomInt(16_777_216, 2_147_483_647)
        markers.add(marker)
        do ipNumber++
        while (ipNumber % 256 === 0 || ipNumber % 256 === 1 || ipNumber % 256 === 255)
        const ip = [24, 16, 8, 0].map((shift) => Math.floor(ipNumber / 2 ** shift) % 256).join('.')
        const stamp = new Date(start + i * 1000).toISOString()
        insertEndpoint.run({ ...template, id, marker_id: marker, subnet_id: subnet, ip, ip_number: ipNumber, created_at: stamp, updated_at: stamp, transition_due_at: null })
        for (const tag of tags) insertTag!.run({ ...tag, resource_id: id })
        insertEvent.run({ ...Object.fromEntries(eventColumns.map((c) => [c, event[c]])), resource_id: id, occurred_at: stamp })
      }
    })()
    db.pragma('wal_checkpoint(TRUNCATE)')
    return missing
  } finally {
    db.close()
  }
}

/**
 * A commit on `db` that no list or GET answer shows: every service's description gains or loses a final
 * `.`. It must really change a value: SQLite commits nothing for an update that leaves a row as it was.
 */
export function invisibleChange(db: SqliteDatabase.Database): () => void {
  const toggle = db.prepare("update endpoint_services set description = iif(description like '%.', rtrim(description, '.'), description || '.')")
  return () => {
    toggle.run()
  }
}
