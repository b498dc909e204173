// Command govc is govmomi's CLI with the commands pulumi-vmimages' tests use to fill vcsim.
package main

import (
	"os"

	"github.com/vmware/govmomi/cli"
	_ "github.com/vmware/govmomi/cli/about"
	_ "github.com/vmware/govmomi/cli/datastore"
	_ "github.com/vmware/govmomi/cli/library"
	_ "github.com/vmware/govmomi/cli/library/session"
	_ "github.com/vmware/govmomi/cli/library/subscriber"
	_ "github.com/vmware/govmomi/cli/session"
)

func main() {
	os.Exit(cli.Run(os.Args[1:]))
}
