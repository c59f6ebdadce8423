export const MODULE: string;
export const COMPILED: string;
export function rebuildEnv(env: Record<string, string | undefined>): Record<string, string | undefined>;
export function buildForElectron(build: { projectDir: string; electronVersion: string; arch: string }): { compiled: string; cleanUp: () => void };
