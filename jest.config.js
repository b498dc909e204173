/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The Kubernetes client is an ES module, which jest does not load; the tests use the CommonJS
  // bundle of it that `npm run build` makes (what the CLI loads), so they run after a build.
  moduleNameMapper: { "^@kubernetes/client-node$": "<rootDir>/dist/kube-client.cjs" },
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
