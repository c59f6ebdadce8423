import { z } from 'zod';

// A bare DNS host name: no scheme, port, path or wildcard, so the allow-list means exactly what it says.
const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'expected a host name like help.example.org');

const externalHostsSchema = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
  )
  .pipe(z.array(hostName));

/**
 * The hosts whose https links the app may open in the system browser, from BLOS_EXTERNAL_HOSTS
 * (comma-separated). Empty by default: no link leaves the app unless an administrator lists its host.
 * Throws a message naming the variable when an entry is not a plain host name.
 */
export function parseExternalHosts(env: Record<string, string | undefined>): string[] {
  const result = externalHostsSchema.safeParse(env.BLOS_EXTERNAL_HOSTS);
  if (result.success) return result.data;
  throw new Error(`BLOS_EXTERNAL_HOSTS: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
}
