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

// Some modules the client's kubeconfig module imports serve only some kubeconfigs: undici (the
// connection pools of the client's own fetch, which the CLI never uses:
// provider/targets/cluster/http.ts), and the agents of proxies (SOCKS, HTTP). Loading them took
// over a third of the client's start. Inside the bundle, the client's import of each is a module
// whose exports load the real one at their first use: the names the client's modules import from
// it, read from their sources (the build runs on Node.js versions that cannot load undici itself).
// Each module, with a name the client is known to import from it (a check that it still does).
const AT_FIRST_USE = new Map([["undici", "Agent"], ["socks", "SocksClient"], ["socks-proxy-agent", "SocksProxyAgent"], ["hpagent", "HttpsProxyAgent"]]);
const escaped = (m) => m.replace(/[-/]/g, "\\$&");
const clientDist = path.dirname(fileURLToPath(import.meta.resolve("@kubernetes/client-node")));
const namesOf = new Map([...AT_FIRST_USE.keys()].map((m) => [m, new Set()]));
for (const file of readdirSync(clientDist).filter((f) => f.endsWith(".js"))) {
  const source = readFileSync(path.join(clientDist, file), "utf8");
  for (const [m, names] of namesOf) {
    const quoted = `['"]${escaped(m)}['"]`;
    const byName = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*${quoted}`, "g");
    for (const [, list] of source.matchAll(byName)) {
      for (const name of list.split(",")) if (name.trim()) names.add(name.trim().split(/\s+as\s+/)[0]);
    }
    if (new RegExp(`from\\s*${quoted}|import\\(\\s*${quoted}|require\\(\\s*${quoted}`).test(source.replace(byName, ""))) {
      throw new Error(`${file} of @kubernetes/client-node imports ${m} otherwise than by name: scripts/bundle.mjs must learn it`);
    }
  }
}
for (const [m, expected] of AT_FIRST_USE) {
  if (!namesOf.get(m).has(expected)) throw new Error(`@kubernetes/client-node no longer imports ${expected} from ${m} by name: scripts/bundle.mjs must learn how it imports ${m}`);
}
const lazyFilter = new RegExp(`^(${[...AT_FIRST_USE.keys()].map(escaped).join("|")})$`);

await build({
  ...common,
  entryPoints: ["provider/targets/cluster/client.ts"],
  outfile: "dist/kube-client.cjs",
  plugins: [
    {
      name: "loaded-at-first-use",
      setup(b) {
        b.onResolve({ filter: lazyFilter }, (args) => (args.namespace === "at-first-use" || !clientModule.test(args.importer) ? undefined : { path: args.path, namespace: "at-first-use", pluginData: args.resolveDir }));
        b.onLoad({ filter: /.*/, namespace: "at-first-use" }, (args) => ({
          resolveDir: args.pluginData,
          loader: "js",
          contents: `let loaded;\nfor (const name of ${JSON.stringify([...namesOf.get(args.path)].sort())}) Object.defineProperty(exports, name, { enumerable: true, get: () => (loaded ??= require(${JSON.stringify(args.path)}))[name] });\n`,
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
