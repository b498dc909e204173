// The bundled example library (cluster library `base-images`, namespaced library `team-a`) as VM
// Operator images, from Go, through the pulumi-vmimages provider plugin.
//
// Config: `library` (a path), `gitopsDir` (a folder that receives the same files as `vmimages
// generate`), optional `image` (the display name to resolve, "Photon OS 5.0" by default).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"example.com/pulumi-vmimages/sdk/go/vmimages"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		image := cfg.Get("image")
		if image == "" {
			image = "Photon OS 5.0"
		}
		images, err := vmimages.NewContentLibraryImages(ctx, "example", &vmimages.ContentLibraryImagesArgs{
			Source: &vmimages.SourceArgs{Directory: pulumi.String(cfg.Require("library"))},
			Libraries: vmimages.LibraryArray{
				&vmimages.LibraryArgs{Name: pulumi.String("base-images"), Scope: pulumi.String("cluster")},
				&vmimages.LibraryArgs{Name: pulumi.String("team-a"), Namespace: pulumi.String("team-a")},
			},
			Gitops: &vmimages.GitopsTargetArgs{Directory: pulumi.String(cfg.Require("gitopsDir"))},
		})
		if err != nil {
			return err
		}
		// The VMI ID a VirtualMachine names in spec.imageName: the namespace's images first, then the cluster's.
		photon := vmimages.ResolveImageOutput(ctx, vmimages.ResolveImageOutputArgs{
			Catalog:   images.Catalog,
			Name:      pulumi.String(image),
			Namespace: pulumi.String("team-a"),
		})
		ctx.Export("catalog", images.Catalog)
		ctx.Export("photon", photon.Name())
		return nil
	})
}
