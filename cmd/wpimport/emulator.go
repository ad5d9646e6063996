package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
)

type emulatorOptions struct {
	Addr     string
	Token    string
	State    string
	Rate     float64
	Latency  time.Duration
	FailRate float64
	DropRate float64
	Seed     int64
	PageCap  int
	Profile  string
	Webhook  string
	Secret   string
}

func parseEmulator(e *env, args []string) (*emulatorOptions, error) {
	o := &emulatorOptions{}
	fs := newFlagSet(e, "emulator", "[--addr 127.0.0.1:8990] [--token T] [--state FILE] [--rate R] [--latency D] [--fail-rate F] [--drop-rate F] [--scim-profile NAME]",
		"wpimport emulator --state workplace.json --rate 100 --latency 50ms\n"+
			"# then, in another shell, with the two lines it prints:\n"+
			"export WPIMPORT_API_URL=http://127.0.0.1:8990 WORKPLACE_ACCESS_TOKEN=test-token\n"+
			"wpimport plan roster.xlsx --out plan.json")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8990", "address to listen on (loopback by default)")
	fs.StringVar(&o.Token, "token", emulator.DefaultToken, "the token the emulator accepts (a test value, not a secret)")
	fs.StringVar(&o.State, "state", "", "JSON state file: loaded at start if it exists, saved on shutdown")
	fs.Float64Var(&o.Rate, "rate", 0, "calls per second before answering code 4 (0 = unlimited)")
	fs.DurationVar(&o.Latency, "latency", 0, "latency added to every call, e.g. 50ms")
	fs.Float64Var(&o.FailRate, "fail-rate", 0, "fraction of calls answered 500 code 2 (no side effect)")
	fs.Float64Var(&o.DropRate, "drop-rate", 0, "fraction of writes committed and then left unanswered")
	fs.Int64Var(&o.Seed, "seed", 1, "seed for fault and latency draws")
	fs.IntVar(&o.PageCap, "page-cap", 100, "largest page a listing returns")
	fs.StringVar(&o.Profile, "scim-profile", emulator.ProfileRFC, "how the SCIM API at /scim/v2 behaves: as the service `NAME` documents it, one of"+profileHelp())
	fs.StringVar(&o.Webhook, "webhook", "", "URL that hears every people set change, signed in X-Hub-Signature-256")
	fs.StringVar(&o.Secret, "app-secret", "", "app secret that signs the webhooks (a test value, not a secret)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usageErr("unexpected arguments: %v", pos)
	}
	if !slices.Contains(emulator.ProfileNames(), o.Profile) {
		return nil, usageErr("--scim-profile must be one of %s, not %q", strings.Join(emulator.ProfileNames(), ", "), o.Profile)
	}
	if o.Webhook != "" {
		if u, err := url.Parse(o.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usageErr("--webhook must be an http(s) URL, not %q", o.Webhook)
		}
		if o.Secret == "" {
			return nil, usageErr("--webhook needs --app-secret to sign what it sends")
		}
	}
	for name, f := range map[string]float64{"--fail-rate": o.FailRate, "--drop-rate": o.DropRate} {
		if f < 0 || f > 1 {
			return nil, usageErr("%s must be between 0 and 1", name)
		}
	}
	return o, nil
}

func cmdEmulator(ctx context.Context, e *env, args []string) error {
	o, err := parseEmulator(e, args)
	if err != nil {
		return err
	}
	cfg := emulator.Config{Token: o.Token, Rate: o.Rate, Latency: o.Latency, FailRate: o.FailRate, DropRate: o.DropRate,
		Seed: o.Seed, PageCap: o.PageCap, SCIMProfile: o.Profile, WebhookURL: o.Webhook, AppSecret: o.Secret}
	if o.State != "" {
		if _, err := os.Stat(o.State); err == nil {
			st, err := emulator.LoadStateFile(o.State)
			if err != nil {
				return usageErr("%v", err)
			}
			cfg.State = st
		}
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	url, err := srv.Start(o.Addr)
	if err != nil {
		return usageErr("listen on %s: %v", o.Addr, err)
	}
	url = usableURL(url)
	fmt.Fprintf(e.stdout, "WPIMPORT_API_URL=%s\nWORKPLACE_ACCESS_TOKEN=%s\n", url, o.Token)
	fmt.Fprintf(e.stderr, "Workplace emulator listening on %s (rate %s, latency %s, fail %.0f%%, drop %.0f%%). Ctrl-C stops it%s.\n",
		url, rateText(o.Rate), o.Latency, o.FailRate*100, o.DropRate*100, saveNote(o.State))
	fmt.Fprintf(e.stderr, "SCIM 2.0 (%s profile) at %s%s over the same accounts: %s.\n", o.Profile, url, emulator.SCIMPrefix,
		emulator.ProfileSummary(o.Profile))
	if o.Webhook != "" {
		fmt.Fprintf(e.stderr, "People set changes are posted to %s.\n", o.Webhook)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	st := srv.Stats()
	fmt.Fprintf(e.stderr, "Stopped after %d calls (%d throttled, %d faults, %d dropped).\n", st.Calls, st.Throttled, st.Faults, st.Dropped)
	if wh := srv.Webhooks(); o.Webhook != "" {
		fmt.Fprintf(e.stderr, "Webhooks: %d delivered, %d given up, %d not sent.\n", wh.Sent, wh.Dropped, wh.Pending)
	}
	if o.State != "" {
		if err := srv.SaveStateFile(o.State); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
		fmt.Fprintf(e.stderr, "State saved to %s\n", o.State)
	}
	return exitCode(exitOK)
}

// profileHelp lists the SCIM profiles, a line each, indented as the
// option's help is.
func profileHelp() string {
	var b strings.Builder
	for _, name := range emulator.ProfileNames() {
		fmt.Fprintf(&b, "\n    \t  %-10s  %s", name, emulator.ProfileSummary(name))
	}
	b.WriteString("\n    \t")
	return b.String()
}

func rateText(r float64) string {
	if r <= 0 {
		return "unlimited"
	}
	return fmt.Sprintf("%g/s", r)
}

// usableURL turns the URL of an unspecified address (0.0.0.0, [::]) into
// one a client can use on this machine.
func usableURL(u string) string {
	for _, any := range []string{"//0.0.0.0:", "//[::]:"} {
		if i := strings.Index(u, any); i >= 0 {
			return u[:i] + "//127.0.0.1:" + u[i+len(any):]
		}
	}
	return u
}

func saveNote(state string) string {
	if state == "" {
		return ""
	}
	return " and saves the state to " + state
}
