import { compareVersions } from '../../src/sync';

const a = 'a'.repeat(64);
const b = 'b'.repeat(64);

describe('last-write-wins order', () => {
  it('the later stamp wins whatever the machines', () => {
    expect(compareVersions({ updatedAt: 2, machineId: a }, { updatedAt: 1, machineId: b })).toBeGreaterThan(0);
    expect(compareVersions({ updatedAt: 1, machineId: b }, { updatedAt: 2, machineId: a })).toBeLessThan(0);
  });

  it('equal stamps are decided by the machine id, the same way from both sides', () => {
    expect(compareVersions({ updatedAt: 5, machineId: b }, { updatedAt: 5, machineId: a })).toBeGreaterThan(0);
    expect(compareVersions({ updatedAt: 5, machineId: a }, { updatedAt: 5, machineId: b })).toBeLessThan(0);
  });

  it('the same stamp from the same machine is the same version', () => {
    expect(compareVersions({ updatedAt: 5, machineId: a }, { updatedAt: 5, machineId: a })).toBe(0);
  });
});
