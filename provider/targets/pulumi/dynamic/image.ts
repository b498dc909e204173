import { imageOperations } from "../operations";

/**
 * The dynamic provider of a TypeScript program's `vmimages:Image` resources, as a module of the
 * installed package. The engine keeps a dynamic provider in every resource's state; this module is
 * kept there as `require("pulumi-vmimages/dist/provider/targets/pulumi/dynamic/image.js")` (an
 * export of package.json), so the state holds no code and a newer release's fix reaches the
 * images an older one made.
 */
export = imageOperations;
