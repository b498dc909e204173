import { Command } from "commander";
import { resolveCatalogImage } from "../../catalog/resolve";
import { Io } from "../io";
import { CatalogFlags, capabilityOption, catalogOptions, readCatalog } from "../options";

interface ResolveFlags extends CatalogFlags {
  readonly namespace?: string;
  readonly strict?: boolean;
  readonly requireCapability: string[];
}

/** `vmimages resolve`: the VMI ID a display name resolves to, as VM Operator resolves it. */
export function resolveCommand(io: Io): Command {
  const command = new Command("resolve").description("print the VMI ID a display name (or VMI ID) resolves to, namespace first, then cluster").argument("<name>", "display name or vmi- ID");
  return capabilityOption(catalogOptions(command))
    .option("-n, --namespace <ns>", "namespace the name is resolved in (else only cluster images)")
    .option("--strict", "also fail when the display name exists in both the namespace and the cluster")
    .action(async (name: string, flags: ResolveFlags, command: Command) => {
      // A usage error (exit 2), as a missing argument is: a pipeline's empty variable must not resolve to anything.
      if (name.trim() === "") command.error(`error: the name to resolve is ${name === "" ? "empty" : "blank"}: give a display name or a VMI ID`, { exitCode: 2 });
      const catalog = await readCatalog(flags, { cluster: true, ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) });
      const image = resolveCatalogImage(catalog, name, flags.namespace, { strict: flags.strict, requireCapabilities: flags.requireCapability });
      io.out(`${image.name}\n`);
    });
}
