package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/safefile"
	"github.com/wpimport/wpimport/internal/target"
	// The targets register themselves; commands open them by name.
	_ "github.com/wpimport/wpimport/internal/target/graph"
	_ "github.com/wpimport/wpimport/internal/target/scim"
)

// The targets wpimport knows best: Workplace's Graph API, and SCIM 2.0.
const (
	apiGraph = "graph"
	apiSCIM  = "scim"
)

// targetOptions say which API to talk to and where the token comes from.
// The token itself is never a flag.
type targetOptions struct {
	API       string
	APIURL    string
	TokenFile string
	// Dialect is --scim-dialect: the SCIM service's dialect, by name ("" chooses by the URL's host).
	Dialect string
	// bulk asks a SCIM service for /Bulk requests (apply --bulk).
	bulk bool
	// tokenFrom says where open found the token ("$WPIMPORT_TOKEN",
	// "$WORKPLACE_ACCESS_TOKEN", "--token-file PATH"), for messages.
	tokenFrom string
}

func (o *targetOptions) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&o.API, "api", defaultAPI(e), "the target: graph (Workplace's Graph API) or scim (a SCIM 2.0 service) (env WPIMPORT_API)")
	fs.StringVar(&o.APIURL, "api-url", e.getenv("WPIMPORT_API_URL"), "the API's base URL (env WPIMPORT_API_URL; default https://graph.facebook.com, or https://scim.workplace.com/ with --api scim); http only for loopback")
	fs.StringVar(&o.TokenFile, "token-file", "", "read the access token from this file (default: env WPIMPORT_TOKEN, else WORKPLACE_ACCESS_TOKEN)")
	fs.StringVar(&o.Dialect, "scim-dialect", e.getenv("WPIMPORT_SCIM_DIALECT"), "SCIM: the service's dialect, one of "+strings.Join(dialects(apiSCIM), ", ")+
		" (env WPIMPORT_SCIM_DIALECT; default: chosen by the URL's host, else rfc, narrowed by what discovery and probes show)")
}

// dialects are the dialects target api speaks; none if it has one.
func dialects(api string) []string {
	r, _ := target.Lookup(api)
	return r.Dialects
}

// defaultAPI is $WPIMPORT_API, else graph.
func defaultAPI(e *env) string {
	if api := e.getenv("WPIMPORT_API"); api != "" {
		return api
	}
	return apiGraph
}

// service names the target for people before it is asked anything.
func (o *targetOptions) service() string {
	if r, ok := target.Lookup(o.API); ok {
		return r.Service
	}
	return o.API
}

// open opens the target, every call of it paced at rate and retried by
// retry; errors are usage errors (exit 2).
func (o *targetOptions) open(e *env, rate float64, retry pace.Retry) (target.Target, *pace.Layer, error) {
	if err := checkAPI(o.API); err != nil {
		return nil, nil, err
	}
	token, err := o.token(e)
	if err != nil {
		return nil, nil, err
	}
	if o.Dialect != "" && len(dialects(o.API)) == 0 {
		return nil, nil, usageErr("--scim-dialect is for --api scim; %s has one dialect", o.service())
	}
	t, layer, err := pace.Open(o.API, target.Config{URL: o.APIURL, Token: token, TokenSource: o.tokenFrom, UserAgent: "wpimport/" + version, Dialect: o.Dialect, Bulk: o.bulk}, rate, retry)
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	return t, layer, nil
}

// maxTokenBytes bounds a token file.
const maxTokenBytes = 64 << 10

// token finds the access token: --token-file, else $WPIMPORT_TOKEN, else
// $WORKPLACE_ACCESS_TOKEN, and records where it came from. Both variables
// set to different tokens is said once: a stale one must not win unseen.
func (o *targetOptions) token(e *env) (string, error) {
	if o.TokenFile != "" {
		b, err := safefile.ReadFile(o.TokenFile, maxTokenBytes)
		if err != nil {
			return "", usageErr("read token file: %v", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", usageErr("token file %s is empty", o.TokenFile)
		}
		if st, err := os.Stat(o.TokenFile); err == nil && st.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
			fmt.Fprintf(e.stderr, "Warning: the token file %s can be read by other users; restrict it: chmod 600 %s\n", o.TokenFile, o.TokenFile)
		}
		o.tokenFrom = "--token-file " + o.TokenFile
		return t, nil
	}
	wp, wa := strings.TrimSpace(e.getenv("WPIMPORT_TOKEN")), strings.TrimSpace(e.getenv("WORKPLACE_ACCESS_TOKEN"))
	switch {
	case wp != "" && wa != "" && wp != wa:
		fmt.Fprintf(e.stderr, "Note: WPIMPORT_TOKEN and WORKPLACE_ACCESS_TOKEN are both set, to different tokens; using $WPIMPORT_TOKEN. "+
			"Unset the one you do not mean, or give --token-file.\n")
		o.tokenFrom = "$WPIMPORT_TOKEN"
		return wp, nil
	case wp != "":
		o.tokenFrom = "$WPIMPORT_TOKEN"
		return wp, nil
	case wa != "":
		o.tokenFrom = "$WORKPLACE_ACCESS_TOKEN"
		return wa, nil
	}
	return "", nil // the target says that no token was given
}

// checkAPI refuses an --api that names no target.
func checkAPI(api string) error {
	if !target.Known(api) {
		return usageErr("--api must be %s, not %q", strings.Join(target.Names(), " or "), api)
	}
	return nil
}

// planAPI is the target a plan was made for.
func planAPI(p *plan.Plan) string {
	if p.API == "" {
		return apiGraph
	}
	return p.API
}

// tokenRefused tells a refused token from a missing permission: an HTTP
// 401, or Graph's token codes 190 and 102 (which Meta's SCIM service
// answers too).
func tokenRefused(te *target.Error) bool {
	code, _, _ := strings.Cut(te.Code, "/")
	return te.Status == 401 || code == "190" || code == "102"
}

// apiFailure adds to an error that stops a command what to do about it,
// naming where the refused token came from (never the token).
func (o *targetOptions) apiFailure(err error) error {
	var ue *target.Unreachable
	if errors.As(err, &ue) {
		return &exitError{exitFatal, fmt.Errorf("%w\nCheck the address (--api-url or WPIMPORT_API_URL) and the network; nothing was changed by the calls that got no answer, and running the same command again resumes", err)}
	}
	from := "the token"
	if o.tokenFrom != "" {
		from = "the token from " + o.tokenFrom
	}
	te := target.As(err)
	switch {
	case te != nil && te.Kind == target.Fatal && tokenRefused(te):
		return &exitError{exitFatal, fmt.Errorf("%w\nThe API refused %s: it is wrong, expired or revoked. Give the right one "+
			"(--token-file wins over $WPIMPORT_TOKEN, which wins over $WORKPLACE_ACCESS_TOKEN)", err, from)}
	case te != nil && te.Kind == target.Fatal:
		return &exitError{exitFatal, fmt.Errorf("%w\nThe API refused a permission to %s: grant the integration its permissions "+
			"(Workplace: Provision User Accounts, Manage Work Profiles; Meta's SCIM: Manage accounts, and its allowed IP addresses), or give the token of one that has them", err, from)}
	case errors.Is(err, plan.ErrIncompleteListing):
		return &exitError{exitRefused, err}
	case errors.As(err, new(*plan.OptionError)):
		return &exitError{exitUsage, err}
	case te != nil:
		return &exitError{exitFatal, fmt.Errorf("%w\nThe service kept failing; nothing was changed. Try again later", err)}
	}
	return err
}
