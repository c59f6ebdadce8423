import { defineConfig } from 'drizzle-kit';

// The sync server's database on PostgreSQL (src/server/schema-pg.ts, derived from the SQLite one).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/schema-pg.ts',
  out: './migrations/server-pg',
});
