/**
 * A function from generated source, or null where code cannot be generated (a content security
 * policy forbids it), for the caller to fall back on an equivalent loop. Used for the per-record
 * steps that run for every synced row: straight-line code with one property read and one call site
 * per field lets the JIT inline each, where a loop over the fields sees all of them at every site.
 * The source is built from schema definitions only (keys quoted with JSON.stringify), never from data.
 */
export function generatedFunction<F>(parameters: Record<string, unknown>, body: string): F | null {
  try {
    const factory = new Function(...Object.keys(parameters), body) as (...args: unknown[]) => F;
    return factory(...Object.values(parameters));
  } catch {
    return null;
  }
}
