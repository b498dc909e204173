"""The bundled example library (cluster library `base-images`, namespaced library `team-a`) as VM
Operator images, from Python, through the pulumi-vmimages provider plugin.

Config: `gitopsDir` (a folder that receives the same files as `vmimages generate`) and/or
`kubeconfig` (a secret: a kubeconfig's text) with optional `context`; optional `library` (a path)
and `image` (the display name to resolve, "Photon OS 5.0" by default); optional `imagesStack` (another
stack exporting `catalog`, such as examples/gitops: `organization/vmimages-gitops/dev`), whose
catalog resolves "Ubuntu 24.04 LTS" in team-a.
"""
import os

import pulumi
import pulumi_vmimages as vmimages

config = pulumi.Config()
kubeconfig = config.get_secret("kubeconfig")
gitops_dir = config.get("gitopsDir")

images = vmimages.ContentLibraryImages(
    "example",
    source=vmimages.SourceArgs(directory=config.get("library") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "library")),
    libraries=[
        vmimages.LibraryArgs(name="base-images", scope="cluster"),
        vmimages.LibraryArgs(name="team-a", namespace="team-a"),
    ],
    gitops=vmimages.GitopsTargetArgs(directory=gitops_dir) if gitops_dir else None,
    kubernetes=vmimages.KubernetesTargetArgs(kubeconfig=kubeconfig, context=config.get("context")) if kubeconfig else None,
)

# The VMI ID a VirtualMachine names in spec.imageName: the namespace's images first, then the cluster's.
photon = vmimages.resolve_image_output(catalog=images.catalog, name=config.get("image") or "Photon OS 5.0", namespace="team-a")

pulumi.export("catalog", images.catalog)
pulumi.export("photon", photon.name)

images_stack = config.get("imagesStack")
if images_stack:
    # The same resolution against another stack's catalog, read through a StackReference.
    other = pulumi.StackReference(images_stack)
    pulumi.export("ubuntu", vmimages.resolve_image_output(catalog=other.get_output("catalog"), name="Ubuntu 24.04 LTS", namespace="team-a").name)
