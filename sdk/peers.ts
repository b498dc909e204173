/**
 * The Pulumi SDK of pulumi-vmimages needs `@pulumi/pulumi` and `@pulumi/kubernetes`, which the
 * package declares as optional peers: a user who installs only the `vmimages` CLI gets neither.
 * Loaded first by the SDK's entry, this says what to install instead of Node's "Cannot find module".
 */
const PEERS: ReadonlyArray<readonly [name: string, range: string]> = [
  ["@pulumi/pulumi", ">=3.259.0 <4.0.0"],
  ["@pulumi/kubernetes", ">=4.25.0 <5.0.0"],
];

const missing = PEERS.filter(([name]) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) {
  throw new Error(
    `pulumi-vmimages' Pulumi SDK needs ${missing.map(([name, range]) => `${name} (${range})`).join(" and ")} in your project: ` +
      `npm install ${missing.map(([name]) => name).join(" ")} (the vmimages command line needs neither)`,
  );
}

export {};
