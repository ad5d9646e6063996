package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/report"
)

// Exit codes, as DESIGN.md fixes them.
const (
	exitOK          = 0
	exitRows        = 1   // some rows invalid or failed
	exitUsage       = 2   // usage error or unreadable input
	exitRefused     = 3   // safety guard tripped, stale or errored plan
	exitFatal       = 4   // fatal API error (bad token, no permission)
	exitInterrupted = 130 // Ctrl-C
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries an exit code up to run: every command returns its
// outcome as an error, nil for exit 0. An exitError without err ends the
// command with its code and no further word (the command said what
// happened).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitCode ends a command with code, having said what happened (nil for 0).
func exitCode(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// env is what a command may touch of the outside world.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// applied, if set, receives what apply left undone (the demo's
	// closing words depend on it).
	applied *report.Tally
	// demoEmulator, if set, is given the demo's emulator before the
	// pipeline runs: tests make it refuse a route.
	demoEmulator func(*emulator.Server)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"validate", "check every row of a roster and report what is wrong", cmdValidate},
		{"plan", "show exactly what would change in Workplace, and save the plan", cmdPlan},
		{"apply", "execute a signed-off plan (or a roster with --yes) and write the results", cmdApply},
		{"offboard", "plan deactivation, deletion or erasure of listed accounts", cmdOffboard},
		{"undo", "plan the taking back of an import, from its results (sign it off and apply it like any plan)", cmdUndo},
		{"check", "say whether the target answers, takes the token and what it supports; writes nothing", cmdCheck},
		{"emulator", "run the Workplace API emulator (Graph and SCIM)", cmdEmulator},
		{"demo", "run validate, plan and apply on samples/ against an embedded emulator", cmdDemo},
		{"version", "print the version", func(ctx context.Context, e *env, args []string) error {
			fmt.Fprintln(e.stdout, "wpimport", version)
			return exitCode(exitOK)
		}},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: osGetenv})
}

func runEnv(ctx context.Context, args []string, e *env) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version" || args[0] == "-v") {
		args = append([]string{"version"}, args[1:]...)
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(e.stderr)
			if len(args) == 0 {
				return exitUsage
			}
			return exitOK
		}
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		if ee, ok := err.(*exitError); ok && ee.err == nil {
			return ee.code // said already
		}
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			fmt.Fprintf(e.stderr, "wpimport %s: interrupted; stopped before it was done, and left no partial output\n", c.name)
			return exitInterrupted
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "wpimport %s: %v\n", c.name, err)
			var ee *exitError
			var fe *parse.FileError
			switch {
			case errors.As(err, &ee):
				return ee.code
			case errors.As(err, &fe):
				return exitUsage
			case ctx.Err() != nil:
				return exitInterrupted
			}
			return exitUsage
		}
		return exitOK
	}
	fmt.Fprintf(e.stderr, "wpimport: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "wpimport %s: bulk-import employee rosters into Workplace from Meta\n\nUsage: wpimport COMMAND [ARGS]\n\nCommands:\n", version)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"wpimport COMMAND --help\" for a command's options and an example.\n")
}

// parseArgs parses flags that may come before or after positional
// arguments, and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, suggestFlag(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// suggestFlag names, for an option the command does not have, the one
// it likely meant: a typo (at most two letters off) or a prefix.
func suggestFlag(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return err
	}
	name = strings.TrimLeft(name, "-")
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(name, f.Name)
		if len(name) >= 3 && strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best == "" {
		return fmt.Errorf("unknown option --%s: wpimport %s's options are listed above", name, fs.Name())
	}
	return fmt.Errorf("unknown option --%s: did you mean --%s?", name, best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// newFlagSet makes a flag set whose --help prints an example.
func newFlagSet(e *env, name, synopsis, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: wpimport %s %s\n\nOptions:\n", name, synopsis)
		printFlags(e.stderr, fs)
		fmt.Fprintf(e.stderr, "\nExample:\n  %s\n", strings.ReplaceAll(example, "\n", "\n  "))
	}
	return fs
}

// printFlags lists the options as the usage lines write them: --name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, usage)
	})
}

// onePositional parses args and returns the one positional argument, or a
// usage error naming what was expected.
func onePositional(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		fs.Usage()
		return "", usageErr("give exactly one %s (got %d arguments)", what, len(pos))
	}
	return pos[0], nil
}

// requireJSONOut checks a plan --out path.
func requireJSONOut(out string) error {
	switch {
	case out == "":
		return usageErr("--out plan.json is required: the plan file, which apply runs; its sign-off workbook plan.xlsx is written beside it")
	case !strings.EqualFold(filepath.Ext(out), ".json"):
		return usageErr("--out names the plan file, which is JSON: give --out %s.json, and the sign-off workbook %s.xlsx is written beside it",
			strings.TrimSuffix(out, filepath.Ext(out)), strings.TrimSuffix(out, filepath.Ext(out)))
	}
	return nil
}
