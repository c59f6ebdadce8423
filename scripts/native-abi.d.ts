export type ModuleAbi = { kind: 'abi'; abi: number } | { kind: 'node-api' } | { kind: 'unknown' };
export function moduleAbi(file: string): ModuleAbi;
export function electronAbi(electronVersion: string): number;
export function findCompiledModules(folder: string): string[];
export function assertModulesMatchElectron(folder: string, electronVersion: string): void;
