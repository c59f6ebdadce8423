// Plain CommonJS on purpose: Jest 30 loads it without a TypeScript loader (ARCHITECTURE 7).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$|^.+\\.cjs$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // preact and htm ship ESM only; let swc turn them into CommonJS. PGlite's CommonJS build loads
  // Node modules with import(), which Jest's module sandbox refuses; swc turns those into require().
  transformIgnorePatterns: ['/node_modules/(?!(preact|htm|@preact|@electric-sql)/)'],
  reporters: ['default', '<rootDir>/test/support/count-reporter.js'],
  testTimeout: 60000,
};
