import { clusterImageOperations } from "../operations";

/** The dynamic provider of a TypeScript program's `vmimages:ClusterImage` resources, kept in state as image.ts is. */
export = clusterImageOperations;
