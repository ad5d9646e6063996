package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/samples"
)

type demoOptions struct {
	Dir  string
	Fast bool
	API  string
}

func parseDemo(e *env, args []string) (*demoOptions, error) {
	o := &demoOptions{}
	fs := newFlagSet(e, "demo", "[--dir FOLDER] [--api graph|scim] [--fast]", "wpimport demo --dir demo-output\nwpimport demo --api scim    # the same roster provisioned over SCIM 2.0")
	fs.StringVar(&o.Dir, "dir", "demo-output", "folder for the samples and the workbooks")
	fs.BoolVar(&o.Fast, "fast", false, "no emulated latency or faults (for tests)")
	fs.StringVar(&o.API, "api", apiGraph, "the emulator's API to provision through: graph or scim")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usageErr("unexpected arguments: %v", pos)
	}
	if err := checkAPI(o.API); err != nil {
		return nil, err
	}
	return o, nil
}

// cmdDemo runs the whole pipeline on the samples against an embedded
// emulator that already holds a few accounts.
func cmdDemo(ctx context.Context, e *env, args []string) error {
	o, err := parseDemo(e, args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return err
	}
	if err := samples.WriteTo(o.Dir); err != nil {
		return err
	}
	state, err := emulator.LoadStateFile(filepath.Join(o.Dir, "workplace-state.json"))
	if err != nil {
		return err
	}
	cfg := emulator.Config{State: state, Rate: 40, Latency: 40 * time.Millisecond, Jitter: 60 * time.Millisecond,
		FailRate: 0.10, DropRate: 0.10, Seed: 42}
	if o.Fast {
		cfg = emulator.Config{State: state}
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		return err
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	if e.demoEmulator != nil {
		e.demoEmulator(srv)
	}
	denv := *e
	apiURL := url
	if o.API == apiSCIM {
		apiURL = url + emulator.SCIMPrefix
	}
	denv.getenv = func(k string) string {
		switch k {
		case "WPIMPORT_API":
			return o.API
		case "WPIMPORT_API_URL":
			return apiURL
		case "WPIMPORT_TOKEN", "WORKPLACE_ACCESS_TOKEN":
			return srv.Token()
		}
		return e.getenv(k)
	}
	path := func(name string) string { return filepath.Join(o.Dir, name) }
	step := func(title string) { fmt.Fprintf(e.stderr, "\n== %s\n", title) }
	if o.API == apiSCIM {
		fmt.Fprintf(e.stderr, "wpimport demo: a SCIM 2.0 service (the emulator's) at %s (%s) holding 5 accounts.\n", apiURL, demoConditions(cfg))
	} else {
		fmt.Fprintf(e.stderr, "wpimport demo: a Workplace emulator at %s (%s) holding 5 accounts and 1 people set.\n", url, demoConditions(cfg))
	}

	step("1. validate " + path("roster.csv"))
	runEnv(ctx, []string{"validate", path("roster.csv"), "--out", path("validation.xlsx")}, &denv)

	step("2. plan: match the valid rows to Workplace, --sync deactivates accounts the roster no longer lists")
	planArgs := []string{"plan", path("roster.csv"), "--sync", "--max-deactivate", "1", "--out", path("plan.json")}
	if o.API == apiGraph { // people sets are Workplace's; a SCIM service has none
		planArgs = append(planArgs, "--people-sets", path("people-sets.csv"), "--sync-people-sets", "--max-delete-people-sets", "1")
	}
	code := runEnv(ctx, planArgs, &denv)
	if code == exitRefused || code == exitUsage || code == exitFatal {
		return exitCode(code)
	}

	step("3. apply the plan (it would normally be signed off first)")
	var t report.Tally
	denv.applied = &t
	code = runEnv(ctx, []string{"apply", path("plan.json"), "--rate", "30", "--concurrency", "8", "--results", path("results.xlsx")}, &denv)
	if code == exitInterrupted || code == exitFatal || code == exitUsage || code == exitRefused {
		return exitCode(code)
	}
	st := srv.Stats()
	abs, _ := filepath.Abs(o.Dir)
	fmt.Fprintf(e.stderr, "\nThe emulator answered %d calls: %d throttled, %d failed with a 5xx, %d writes lost their answer.\n",
		st.Calls, st.Throttled, st.Faults, st.Dropped)
	twice := madeTwice(srv.Snapshot())
	left := t.Unfinished()
	switch {
	case left == 0 && twice == "":
		fmt.Fprintf(e.stderr, "wpimport retried what was safe to retry and looked up every create whose answer was lost: "+
			"every row has a status, and no account or people set was made twice.\n")
	case twice == "":
		fmt.Fprintf(e.stderr, "NOT everything went through: %s (apply's lines above and the Failures sheet of results.xlsx say why); "+
			"no account or people set was made twice. Against a real service, the same apply run again would finish it.\n", notDoneBeyondSkipped(t))
	default:
		fmt.Fprintf(e.stderr, "MADE TWICE: %s. This is a bug in wpimport: please report it with the results and the journal.\n", twice)
	}
	fmt.Fprintf(e.stderr, "Open the workbooks in %s:\n  validation.xlsx  what is wrong with the roster\n  plan.xlsx        what would change, for sign-off\n  results.xlsx     what happened to every row\n", abs)
	fmt.Fprintln(e.stdout, abs)
	if left > 0 || twice != "" {
		// The roster's deliberate mistakes (invalid rows, skipped) are the
		// demo's point; anything else that did not go through is not.
		return exitCode(max(code, exitRows))
	}
	return exitCode(exitOK)
}

// madeTwice names the accounts (by email or external id) and people sets
// (by name) the tenant holds more than once, or "".
func madeTwice(st *emulator.State) string {
	seen := map[string]int{}
	for _, a := range st.Accounts {
		if a.Email != "" {
			seen["account "+strings.ToLower(a.Email)]++
		}
		if a.ExternalID != "" {
			seen["account "+a.ExternalID]++
		}
	}
	for _, s := range st.PeopleSets {
		seen[fmt.Sprintf("people set %q", s.Name)]++
	}
	var twice []string
	for k, n := range seen {
		if n > 1 {
			twice = append(twice, k)
		}
	}
	sort.Strings(twice)
	return strings.Join(twice, ", ")
}

func demoConditions(cfg emulator.Config) string {
	if cfg.Rate == 0 {
		return "no latency, no faults"
	}
	return fmt.Sprintf("%g calls/s limit, %s–%s latency, %.0f%% server errors, %.0f%% lost answers", cfg.Rate, cfg.Latency, cfg.Latency+cfg.Jitter, cfg.FailRate*100, cfg.DropRate*100)
}
