import { Command } from "commander";
import { ImageCriteria, parseNamePattern, selectCatalogImage } from "../../catalog/select";
import { ConfigError } from "../../errors";
import { Io } from "../io";
import { CatalogFlags, capabilityOption, catalogOptions, outputOption, readCatalog } from "../options";
import { formatJson, formatYaml } from "../output";

interface SelectFlags extends CatalogFlags {
  readonly selector?: string;
  readonly name?: string;
  readonly osType?: string;
  readonly osVersion?: string;
  readonly requireCapability: string[];
  readonly mostRecent?: boolean;
  readonly namespace?: string;
  readonly strict?: boolean;
  readonly expect?: string;
  readonly output: "name" | "json" | "yaml";
}

/** `vmimages select`: the one image that fits the criteria, as `aws ec2 describe-images` picks an AMI. */
export function selectCommand(io: Io): Command {
  const command = catalogOptions(
    new Command("select").description("print the VMI ID of the one image that fits the criteria (namespace first, then cluster); with --most-recent, the newest version of several"),
  )
    .option("-l, --selector <selector>", "label selector, e.g. os.image.vmoperator.vmware.com/type=Linux,capability.image.vmoperator.vmware.com/cloud-init")
    .option("--name <pattern>", 'display-name glob ("Ubuntu 24.04*"), or a regular expression between slashes ("/^Ubuntu 2[24]/")')
    .option("--os-type <type>", "OS family (status.osInfo.type), e.g. Linux")
    .option("--os-version <version>", "OS version (status.osInfo.version)");
  return outputOption(
    capabilityOption(command)
      .option("--most-recent", "of several matches, take the newest status.productInfo.version")
      .option("-n, --namespace <ns>", "namespace whose images come first (else only cluster images)")
      .option("--strict", "also fail when images match in both the namespace and the cluster")
      .option("--expect <vmi>", "fail unless the criteria select this VMI ID (to notice a new build in CI)"),
    ["name", "json", "yaml"],
  ).action(async (flags: SelectFlags) => {
    const catalog = await readCatalog(flags, { cluster: true, ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}) });
    const chosen = selectCatalogImage(catalog, criteria(flags), { ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}), strict: Boolean(flags.strict) });
    io.out(flags.output === "json" ? formatJson(chosen) : flags.output === "yaml" ? formatYaml(chosen) : `${chosen.name}\n`);
    if (flags.expect !== undefined && flags.expect !== chosen.name) {
      throw new ConfigError(
        `the criteria now select ${chosen.name} ("${chosen.displayName}"${chosen.version !== undefined ? `, version ${chosen.version}` : ""}), not the pinned ${flags.expect}: a new build, or a changed library; update the pin once it is tested`,
      );
    }
  });
}

/** The criteria the flags give; `--name /…/flags` is a regular expression. */
function criteria(flags: SelectFlags): ImageCriteria {
  return {
    ...(flags.selector !== undefined ? { selector: flags.selector } : {}),
    ...(flags.name !== undefined ? { name: parseNamePattern(flags.name, "--name") } : {}),
    ...(flags.osType !== undefined ? { osType: flags.osType } : {}),
    ...(flags.osVersion !== undefined ? { osVersion: flags.osVersion } : {}),
    requireCapabilities: flags.requireCapability,
    mostRecent: Boolean(flags.mostRecent),
  };
}
