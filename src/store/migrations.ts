import { Migrator, sql, type Kysely, type Migration } from 'kysely'
import type { Dialect } from './database.ts'

/*
 * Migrations are written once for both dialects with portable types: text, integer, bigint.
 * Kysely's Migrator takes a lock (an advisory lock on PostgreSQL), so instances that start together
 * apply each migration exactly once. Column names are snake_case here because the schema builder
 * writes them as given.
 */
function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('projects_account_name', ['account_id', 'name'])
        .execute()
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('users_account_name', ['account_id', 'name'])
        .execute()
      await db.schema
        .createTable('credentials')
        .addColumn('access_key', 'text', (c) => c.primaryKey())
        .addColumn('secret_key', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('tokens_expires').on('tokens').column('expires_at').execute()

      await db.schema
        .createTable('endpoint_services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('short_name', 'text', (c) => c.notNull())
        .addColumn('service_name', 'text', (c) => c.notNull())
        .addColumn('port_id', 'text', (c) => c.notNull())
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('server_type', 'text', (c) => c.notNull())
        .addColumn('service_type', 'text', (c) => c.notNull())
        .addColumn('approval_enabled', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('tcp_proxy', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('enable_policy', 'integer', (c) => c.notNull())
        .addColumn('ip_version', 'text', (c) => c.notNull())
        .addColumn('snat_network_id', 'text', (c) => c.notNull())
        .addColumn('ports', 'text', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('transition_due_at', 'text')
        .execute()
      await db.schema.createIndex('services_project_created').on('endpoint_services').columns(['project_id', 'created_at', 'id']).execute()
      await db.schema.createIndex('services_project_updated').on('endpoint_services').columns(['project_id', 'updated_at', 'id']).execute()
      await db.schema.createIndex('services_port').on('endpoint_services').columns(['project_id', 'port_id']).execute()
      await db.schema.createIndex('services_due').on('endpoint_services').column('transition_due_at').execute()

      await db.schema
        .createTable('service_permissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull().references('endpoint_services.id').onDelete('cascade'))
        .addColumn('permission', 'text', (c) => c.notNull())
        .addColumn('permission_type', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('permissions_service_permission', ['service_id', 'permission'])
        .execute()
      await db.schema.createIndex('permissions_service_created').on('service_permissions').columns(['service_id', 'created_at', 'id']).execute()

      await db.schema
        .createTable('endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull().references('endpoint_services.id'))
        .addColumn('vpc_id', 'text', (c) => c.notNull())
        .addColumn('subnet_id', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('ip_number', 'bigint')
        .addColumn('marker_id', 'integer', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requires_approval', 'integer', (c) => c.notNull())
        .addColumn('enable_dns', 'integer', (c) => c.notNull())
        .addColumn('whitelist', 'text', (c) => c.notNull())
        .addColumn('enable_whitelist', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('connection_description', 'text', (c) => c.notNull())
        .addColumn('routetables', 'text', (c) => c.notNull())
        .addColumn('policy_statement', 'text', (c) => c.notNull())
        .addColumn('policy_document', 'text')
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('transition_due_at', 'text')
        .execute()
      await db.schema.createIndex('endpoints_project_created').on('endpoints').columns(['project_id', 'created_at', 'id']).execute()
      await db.schema.createIndex('endpoints_project_updated').on('endpoints').columns(['project_id', 'updated_at', 'id']).execute()
      await db.schema.createIndex('endpoints_service_created').on('endpoints').columns(['service_id', 'created_at', 'id']).execute()
      await db.schema.createIndex('endpoints_service_status').on('endpoints').columns(['service_id', 'status']).execute()
      await db.schema.createIndex('endpoints_subnet_ip').on('endpoints').columns(['subnet_id', 'ip_number']).unique().execute()
      await db.schema.createIndex('endpoints_due').on('endpoints').column('transition_due_at').execute()

      await db.schema
        .createTable('tags')
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['resource_type', 'resource_id', 'key'])
        .execute()
      await db.schema.createIndex('tags_project').on('tags').columns(['project_id', 'resource_type', 'key']).execute()

      await db.schema
        .createTable('events')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('events_resource').on('events').columns(['resource_type', 'resource_id']).execute()
      if (dialect === 'sqlite') await sql`PRAGMA optimize`.execute(db)
    },
  }
}

/** Operator catalog and professional edition: public services, editions, multi-backend resources. */
const catalogAndEditions: Migration = {
  async up(db: Kysely<any>) {
    const serviceColumns: Array<[string, string, string]> = [
      ['is_public', 'integer', '0'],
      ['owner_name', 'text', "''"],
      ['is_charge', 'integer', '0'],
      ['supported_editions', 'text', `'["basic"]'`],
      ['enable_multi_server', 'integer', '0'],
      ['server_resources', 'text', "'[]'"],
    ]
    for (const [name, type, fallback] of serviceColumns) {
      await db.schema.alterTable('endpoint_services').addColumn(name, type as 'text', (c) => c.notNull().defaultTo(sql.raw(fallback))).execute()
    }
    const endpointColumns: Array<[string, string, string]> = [
      ['edition', 'text', "'basic'"],
      ['ipv6_address', 'text', "''"],
    ]
    for (const [name, type, fallback] of endpointColumns) {
      await db.schema.alterTable('endpoints').addColumn(name, type as 'text', (c) => c.notNull().defaultTo(sql.raw(fallback))).execute()
    }
    await db.schema.createIndex('services_public').on('endpoint_services').columns(['is_public', 'created_at', 'id']).execute()
  },
}

/**
 * vpcep does not know subnets, so two accounts may name the same subnet id: addresses are unique per
 * project and subnet, and one tenant's allocations never collide with or reveal another's.
 */
const addressesPerProject: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('endpoints_subnet_ip').execute()
    await db.schema.createIndex('endpoints_project_subnet_ip').on('endpoints').columns(['project_id', 'subnet_id', 'ip_number']).unique().execute()
  },
}

const adminSettings: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('admin_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute()
  },
}

/**
 * Endpoints per project, kept by triggers in the transaction of every insert and delete (whichever code
 * path makes it), so an unfiltered endpoint list answers total_count without counting the project's rows.
 */
function endpointCounts(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('endpoint_counts')
        .addColumn('project_id', 'text', (c) => c.primaryKey())
        .addColumn('n', 'integer', (c) => c.notNull())
        .execute()
      await sql`insert into endpoint_counts (project_id, n) select project_id, count(*) from endpoints group by project_id`.execute(db)
      if (dialect === 'sqlite') {
        await sql`create trigger endpoint_counts_insert after insert on endpoints begin
          insert into endpoint_counts (project_id, n) values (new.project_id, 1) on conflict (project_id) do update set n = n + 1; end`.execute(db)
        await sql`create trigger endpoint_counts_delete after delete on endpoints begin
          update endpoint_counts set n = n - 1 where project_id = old.project_id; end`.execute(db)
        await sql`create trigger endpoint_counts_move after update of project_id on endpoints begin
          update endpoint_counts set n = n - 1 where project_id = old.project_id;
          insert into endpoint_counts (project_id, n) values (new.project_id, 1) on conflict (project_id) do update set n = n + 1; end`.execute(db)
      } else {
        await sql`create function endpoint_counts_track() returns trigger language plpgsql as $$
          begin
            if tg_op <> 'INSERT' then update endpoint_counts set n = n - 1 where project_id = old.project_id; end if;
            if tg_op <> 'DELETE' then
              insert into endpoint_counts (project_id, n) values (new.project_id, 1) on conflict (project_id) do update set n = endpoint_counts.n + 1;
            end if;
            return null;
          end $$`.execute(db)
        await sql`create trigger endpoint_counts_track after insert or delete or update of project_id on endpoints
          for each row execute function endpoint_counts_track()`.execute(db)
      }
    },
  }
}

/** Outbox retention prunes by time. */
const eventsByTime: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('events_occurred').on('events').columns(['occurred_at', 'seq']).execute()
  },
}

/**
 * The data plane: where a service's port id really is (backends), what each endpoint forwards and how it
 * is doing (forwarding, written by the data plane only), and loopback endpoint addresses unique across
 * projects, since every one of them is a real local address that one listener binds.
 */
const dataplane: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('backends')
      .addColumn('port_id', 'text', (c) => c.primaryKey())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('forwarding')
      .addColumn('endpoint_id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('proxy_protocol', 'text', (c) => c.notNull())
      .addColumn('listeners', 'text', (c) => c.notNull())
      .addColumn('active_connections', 'integer', (c) => c.notNull())
      .addColumn('connections_total', 'bigint', (c) => c.notNull())
      .addColumn('refused_total', 'bigint', (c) => c.notNull())
      .addColumn('bytes_in', 'bigint', (c) => c.notNull())
      .addColumn('bytes_out', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await sql`create unique index endpoints_loopback_ip on endpoints (ip_number) where ip_number between 2130706432 and 2147483647`.execute(db)
  },
}

/**
 * Webhook subscriptions and their deliveries. On PostgreSQL every outbox row also records the id of the
 * transaction that wrote it: a sequence value is taken before commit, so a follower reading by `seq` alone
 * could step past an event that commits late; reading only events of transactions older than every one
 * still running (the snapshot's xmin) cannot (src/events/outbox-follower.ts).
 */
function eventSubscriptions(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('event_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('subscriptions_project_created').on('event_subscriptions').columns(['project_id', 'created_at', 'id']).execute()
      await db.schema.createIndex('subscriptions_project_updated').on('event_subscriptions').columns(['project_id', 'updated_at', 'id']).execute()
      await db.schema.createIndex('subscriptions_audience').on('event_subscriptions').columns(['project_id', 'resource_type', 'resource_id']).execute()

      await db.schema
        .createTable('event_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('event_subscriptions.id').onDelete('cascade'))
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('last_attempt_at', 'text')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('response_excerpt', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addUniqueConstraint('deliveries_subscription_event', ['subscription_id', 'event_id'])
        .execute()
      await db.schema.createIndex('deliveries_due').on('event_deliveries').columns(['status', 'next_attempt_at']).execute()
      await db.schema.createIndex('deliveries_project_created').on('event_deliveries').columns(['project_id', 'created_at', 'id']).execute()
      await db.schema.createIndex('deliveries_subscription_created').on('event_deliveries').columns(['subscription_id', 'created_at', 'id']).execute()

      await db.schema
        .createTable('event_cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('xid', 'text')
        .execute()
      if (dialect === 'postgres') {
        // Rows written before this migration keep a null xid and are never delivered: no subscription existed.
        await sql`alter table events add column xid xid8`.execute(db)
        await sql`alter table events alter column xid set default pg_current_xact_id()`.execute(db)
        await sql`create index events_xid_seq on events (xid, seq)`.execute(db)
        await sql`insert into event_cursors (name, seq, xid) values ('webhooks', 0, pg_current_xact_id()::text)`.execute(db)
      } else {
        await sql`insert into event_cursors (name, seq, xid) values ('webhooks', (select coalesce(max(seq), 0) from events), null)`.execute(db)
      }
    },
  }
}

export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ '0001_initial': initial(dialect), '0002_catalog_and_editions': catalogAndEditions, '0003_addresses_per_project': addressesPerProject, '0004_admin_settings': adminSettings, '0005_endpoint_counts': endpointCounts(dialect), '0006_events_by_time': eventsByTime, '0007_dataplane': dataplane, '0009_event_subscriptions': eventSubscriptions(dialect) }) },
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`)
  }
}
