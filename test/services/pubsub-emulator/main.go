// The Pub/Sub emulator of the local test services: Google's in-memory Pub/Sub server (pstest, from the Go client
// library) on a loopback gRPC port. Clients reach it through PUBSUB_EMULATOR_HOST=host:port.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8085, "gRPC port")
	flag.Parse()

	srv := pstest.NewServerWithAddress(fmt.Sprintf("%s:%d", *host, *port))
	log.Printf("pstest Pub/Sub emulator listening on %s", srv.Addr)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	log.Printf("stopping")
	_ = srv.Close()
}
