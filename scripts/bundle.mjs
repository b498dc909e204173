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

const clientModule = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;
const common = { bundle: true, platform: "node", target: "node22", format: "cjs", logLevel: "warning" };

await build({
  ...common,
  entryPoints: ["provider/targets/cluster/client.ts"],
  outfile: "dist/kube-client.cjs",
  plugins: [
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
