import { Command } from "commander";
import { CatalogImage } from "../../catalog/catalog";
import { matchesSelector, parseSelector } from "../../catalog/selector";
import { ConfigError } from "../../errors";
import { Io } from "../io";
import { CatalogFlags, catalogOptions, outputOption, readCatalog } from "../options";
import { formatJson, formatYaml, resourceName } from "../output";
import { imageTable } from "../table";

interface ListFlags extends CatalogFlags {
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly selector?: string;
  readonly output: "table" | "wide" | "name" | "json" | "yaml";
}

/** `vmimages list`: images as `kubectl get` shows them. */
export function listCommand(io: Io): Command {
  const command = catalogOptions(new Command("list").description("list images as `kubectl get vmi -o wide` shows them (cluster images unless a namespace is given)"))
    .option("-n, --namespace <ns>", "VirtualMachineImages of this namespace")
    .option("-A, --all-namespaces", "VirtualMachineImages of every namespace")
    .option("-l, --selector <selector>", "label selector, e.g. os.image.vmoperator.vmware.com/type=Linux");
  return outputOption(command, ["table", "wide", "name", "json", "yaml"]).action(async (flags: ListFlags) => {
    if (flags.namespace && flags.allNamespaces) throw new ConfigError("use --namespace or --all-namespaces, not both");
    const selector = parseSelector(flags.selector ?? "");
    // Like kubectl get: the cluster's images, or the VirtualMachineImages of a namespace or of every one, and nothing else.
    const catalog = await readCatalog(flags, flags.allNamespaces ? { cluster: false, namespace: "*" } : flags.namespace ? { cluster: false, namespace: flags.namespace } : { cluster: true });
    const inScope = (i: CatalogImage) => (flags.allNamespaces ? i.namespace !== undefined : flags.namespace ? i.namespace === flags.namespace : i.namespace === undefined);
    const images = catalog.images.filter((i) => inScope(i) && matchesSelector(i.labels, selector));
    if (flags.output === "json") io.out(formatJson(images));
    else if (flags.output === "yaml") io.out(formatYaml(images));
    else if (flags.output === "name") io.out(images.map((i) => `${resourceName(i)}\n`).join(""));
    else if (images.length === 0) io.err("No resources found\n");
    // The CRDs give every column priority 0, so -o wide shows the columns the table shows, as kubectl does.
    else io.out(`${imageTable(flags.allNamespaces || flags.namespace ? "VirtualMachineImage" : "ClusterVirtualMachineImage", images, Boolean(flags.allNamespaces))}\n`);
  });
}
