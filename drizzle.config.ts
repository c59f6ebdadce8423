import { defineConfig } from 'drizzle-kit';

// The app's local database. The sync server's schema has its own config: drizzle.server.config.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations/local',
});
