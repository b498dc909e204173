// Bundles the CLI and its dependencies into dist/vmimages.cjs (bin/vmimages.js says why), and the
// parts of the Kubernetes client it uses into dist/kube-client.cjs, which only a run that reaches a
// cluster loads. Both from the TypeScript sources rather than tsc's CommonJS, so that esbuild sees
// the names each module imports and leaves out what nothing uses. The client's modules are declared
// free of side effects (they define classes and functions; the one exception, a polyfill of the
// global File for Node.js 18, has nothing to do on Node.js 22), so what
// provider/targets/cluster/client.ts does not name (the generated API and the hundreds of model
// classes the client's index loads) stays out of the bundle, and out of the time `vmimages apply`
// takes to start.
import { build } from "esbuild";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const clientModule = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;
const common = { bundle: true, platform: "node", target: "node22", format: "cjs", logLevel: "warning" };

// The client's kubeconfig module imports undici (for the connection pools of its own fetch, which
// the CLI never uses: provider/targets/cluster/http.ts), and loading undici took half the client's
// start. Inside the bundle, the client's `undici` is a module whose exports load the real one at
// their first use: the names the client's modules import from it, read from their sources (the
// build runs on Node.js versions that cannot load undici itself).
const clientDist = path.dirname(fileURLToPath(import.meta.resolve("@kubernetes/client-node")));
const undiciExports = new Set();
for (const file of readdirSync(clientDist).filter((f) => f.endsWith(".js"))) {
  for (const [, names] of readFileSync(path.join(clientDist, file), "utf8").matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]undici['"]/g)) {
    for (const name of names.split(",")) if (name.trim()) undiciExports.add(name.trim().split(/\s+as\s+/)[0]);
  }
  if (/from\s*['"]undici['"]/.test(readFileSync(path.join(clientDist, file), "utf8").replace(/import\s*\{[^}]*\}\s*from\s*['"]undici['"]/g, ""))) {
    throw new Error(`${file} of @kubernetes/client-node imports undici otherwise than by name: scripts/bundle.mjs must learn it`);
  }
}
if (!undiciExports.has("Agent")) throw new Error("@kubernetes/client-node no longer imports undici's Agent by name: scripts/bundle.mjs must learn how it imports undici");

await build({
  ...common,
  entryPoints: ["provider/targets/cluster/client.ts"],
  outfile: "dist/kube-client.cjs",
  plugins: [
    {
      name: "undici-at-first-use",
      setup(b) {
        b.onResolve({ filter: /^undici$/ }, (args) => (args.namespace === "undici-at-first-use" || !clientModule.test(args.importer) ? undefined : { path: "undici", namespace: "undici-at-first-use", pluginData: args.resolveDir }));
        b.onLoad({ filter: /.*/, namespace: "undici-at-first-use" }, (args) => ({
          resolveDir: args.pluginData,
          loader: "js",
          contents: `let undici;\nfor (const name of ${JSON.stringify([...undiciExports].sort())}) Object.defineProperty(exports, name, { enumerable: true, get: () => (undici ??= require("undici"))[name] });\n`,
        }));
      },
    },
    {
      name: "client-node-without-side-effects",
      setup(b) {
        b.onResolve({ filter: /.*/ }, async (args) => {
          if (args.pluginData === "resolved" || !(clientModule.test(args.importer) || args.path.startsWith("@kubernetes/client-node"))) return undefined;
          const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: "resolved" });
          return clientModule.test(resolved.path) ? { ...resolved, sideEffects: false } : resolved;
        });
      },
    },
  ],
});

await build({
  ...common,
  entryPoints: ["provider/cli/main.ts"],
  outfile: "dist/vmimages.cjs",
  plugins: [
    {
      name: "kube-client-beside",
      setup(b) {
        // The cluster target's `require("./client")` loads the bundle above, from beside this one.
        b.onResolve({ filter: /^\.\/client$/ }, (args) => (/[\\/]targets[\\/]cluster$/.test(args.resolveDir) ? { path: "./kube-client.cjs", external: true } : undefined));
      },
    },
  ],
});
