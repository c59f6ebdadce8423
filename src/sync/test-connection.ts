import { SyncError, SyncTransport, type ServerConfig } from './transport';
import { decodeRecords, readPullAnswer } from './pull-decoder';

export interface ConnectionCheck {
  ok: boolean;
  /** One sentence for the settings screen. */
  message: string;
  /** Round trip of the authorised request (ms), or null when it did not complete. */
  latencyMs: number | null;
}

/** Any well-formed identity: the check only reads, and the server records no state for it. */
const PROBE_MACHINE_ID = '0'.repeat(64);

/**
 * Checks settings before they are saved: the server answers its health check AND accepts the key
 * (a one-row pull). Never throws.
 */
export async function testConnection(config: ServerConfig, options: { machineId?: string; signal?: AbortSignal } = {}): Promise<ConnectionCheck> {
  const transport = new SyncTransport(config, options.machineId ?? PROBE_MACHINE_ID);
  try {
    await transport.health(options.signal);
  } catch (error) {
    return { ok: false, message: describe(error), latencyMs: null };
  }
  const started = performance.now();
  try {
    decodeRecords(readPullAnswer(await transport.pull(0, 1, { signal: options.signal })), 0, 1);
  } catch (error) {
    return { ok: false, message: describe(error), latencyMs: null };
  }
  const latencyMs = Math.round(performance.now() - started);
  return { ok: true, message: `Connected to ${config.serverUrl}; the API key is accepted (${latencyMs} ms).`, latencyMs };
}

function describe(error: unknown): string {
  if (error instanceof SyncError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
