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
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "address to listen on")
	flag.Parse()

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: creating the model: %v", err)
	}
	defer model.Remove()
	model.Service.Listen = &url.URL{Host: *listen}
	model.Service.TLS = new(tls.Config)
	model.Service.RegisterEndpoints = true

	server := model.Service.NewServer()
	defer server.Close()
	fmt.Printf("%s\n", server.URL.String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
