// Command vcsim runs govmomi's vCenter simulator for pulumi-vmimages' integration tests: the VPX
// model over TLS (a self-signed certificate) with the content library REST API (/rest/...).
// It prints the server URL on its first line of output and runs until SIGINT or SIGTERM.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator" // serves /rest/com/vmware/content/...
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "address to listen on")
	username := flag.String("username", "", "the only username accepted (default: any non-empty login)")
	password := flag.String("password", "", "the only password accepted, with -username")
	idle := flag.Duration("session-idle", 0, "end sessions idle this long (default: the simulator's)")
	flag.Parse()

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: creating the model: %v", err)
	}
	defer model.Remove()
	if *idle > 0 {
		setOption(model, "config.vmacore.soap.sessionTimeout", idle.String())
	}
	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	model.Service.TLS = new(tls.Config)
	model.Service.RegisterEndpoints = true

	server := model.Service.NewServer()
	defer server.Close()
	// The first line is the URL without credentials; tests read it.
	u := *server.URL
	u.User = nil
	fmt.Printf("%s\n", u.String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}

// setOption sets (or adds) a setting of the simulated vCenter's OptionManager.
func setOption(model *simulator.Model, key, value string) {
	om := model.Map().OptionManager()
	for _, s := range om.Setting {
		if ov := s.GetOptionValue(); ov.Key == key {
			ov.Value = value
			return
		}
	}
	om.Setting = append(om.Setting, &types.OptionValue{Key: key, Value: value})
}
