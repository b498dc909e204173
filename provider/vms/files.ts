import { Catalog, CatalogImage } from "../catalog/catalog";
import { applyEdits, documentsOf } from "./edit";
import { MutateOptions, VirtualMachineDoc, mutationOf, virtualMachineOf } from "./mutation";

/** A VirtualMachine that `mutate` changed, or would. */
export interface VmChange {
  readonly file: string;
  /** The line its document starts on. */
  readonly line: number;
  /** `namespace/name`. */
  readonly vm: string;
  readonly image: CatalogImage;
  /** The image it named before, when that was another: VM Operator keeps the image of a VM that exists. */
  readonly from?: string;
}

/** Why a VirtualMachine cannot be given its image. */
export interface VmProblem {
  readonly file: string;
  readonly line: number;
  readonly vm?: string;
  readonly reason: string;
}

export interface FileMutation {
  /** The file's new text; the same string when nothing changed. */
  readonly text: string;
  readonly changes: readonly VmChange[];
  readonly problems: readonly VmProblem[];
}

/** The VirtualMachines of a file's documents, with their document's index and line. */
export function virtualMachinesIn(src: string): Array<{ readonly index: number; readonly line: number; readonly vm: VirtualMachineDoc }> {
  return documentsOf(src).flatMap(({ doc, line }, index) => {
    const vm = virtualMachineOf(doc.toJS({ maxAliasCount: 100 }));
    return vm ? [{ index, line, vm }] : [];
  });
}

/**
 * A file with each of its VirtualMachines given its image, every other byte as it was; nothing is
 * changed in a file with a problem (the caller writes nothing of any run that has one).
 */
export function mutateFile(src: string, file: string, catalog: Catalog, options: MutateOptions = {}): FileMutation {
  let vms;
  try {
    vms = virtualMachinesIn(src);
  } catch (err) {
    return { text: src, changes: [], problems: [{ file, line: 1, reason: (err as Error).message }] };
  }
  let text = src;
  const changes: VmChange[] = [];
  const problems: VmProblem[] = [];
  for (const { index, line, vm } of vms) {
    const label = `${vm.namespace ?? options.namespace ?? "?"}/${vm.name}`;
    const mutation = mutationOf(vm, catalog, options);
    if (mutation.kind === "problem") problems.push({ file, line, vm: label, reason: mutation.reason });
    if (mutation.kind !== "change") continue;
    try {
      text = applyEdits(text, index, mutation.edits);
    } catch (err) {
      problems.push({ file, line, vm: label, reason: `its manifest cannot be edited: ${(err as Error).message}` });
      continue;
    }
    changes.push({ file, line, vm: label, image: mutation.image, ...(mutation.from !== undefined ? { from: mutation.from } : {}) });
  }
  return problems.length ? { text: src, changes: [], problems } : { text, changes, problems };
}
