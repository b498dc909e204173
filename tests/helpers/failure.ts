import { VmImagesError } from "../../provider/errors";

/** The error `f` throws; fails the test when it throws none. */
export function failure(f: () => unknown): VmImagesError {
  try {
    f();
  } catch (err) {
    return err as VmImagesError;
  }
  throw new Error("expected a failure, but nothing was thrown");
}

/** The error `p` rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<VmImagesError> {
  try {
    await p;
  } catch (err) {
    return err as VmImagesError;
  }
  throw new Error("expected a failure, but the promise resolved");
}
