package main

import (
	"context"
	"os"
)

var osGetenv = os.Getenv

func notYet(ctx context.Context, e *env, args []string) (int, error) {
	return exitUsage, usageErr("not built yet")
}

var (
	cmdOffboard = notYet
)
