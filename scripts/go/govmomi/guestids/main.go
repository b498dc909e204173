// Command guestids prints, as one JSON object, every vSphere guest id govmomi knows
// (VirtualMachineGuestOsIdentifier) with the CIM OS type govmomi's ovf package maps it to
// (GuestIDToCIMOSType): the reference pulumi-vmimages' tests hold its OS family table to.
package main

import (
	"encoding/json"
	"os"

	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	out := map[string]int{}
	for _, id := range types.VirtualMachineGuestOsIdentifier("").Values() {
		out[string(id)] = int(ovf.GuestIDToCIMOSType(id))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
