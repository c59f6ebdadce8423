// Plain CommonJS on purpose: Jest 30 loads it without a TypeScript loader (ARCHITECTURE 7).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // preact and htm ship ESM only; let swc turn them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(preact|htm|@preact)/)'],
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
  testTimeout: 60000,
};
