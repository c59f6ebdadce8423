import { defineConfig } from 'drizzle-kit';

// The sync server's database (src/server/schema.ts). The app's local database: drizzle.config.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/server/schema.ts',
  out: './migrations/server',
});
