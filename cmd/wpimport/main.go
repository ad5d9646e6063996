// Command wpimport bulk-imports employee rosters into Workplace from Meta:
// validate a roster, plan the changes, apply them under a rate limit and
// report on every row. Run "wpimport help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
