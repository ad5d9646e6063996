package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/scim"
	"github.com/wpimport/wpimport/internal/workplace"
)

// The targets: Workplace's Graph API, or a SCIM 2.0 service.
const (
	apiGraph = "graph"
	apiSCIM  = "scim"
)

// DefaultSCIMURL is Meta's SCIM service for managed work accounts.
const DefaultSCIMURL = "https://scim.workplace.com/"

// targetOptions say which API to talk to and where the token comes from.
// The token itself is never a flag.
type targetOptions struct {
	API       string
	APIURL    string
	TokenFile string
	// tokenFrom says where client found the token ("$WPIMPORT_TOKEN",
	// "$WORKPLACE_ACCESS_TOKEN", "--token-file PATH"), for messages.
	tokenFrom string
}

// apiClient is what plan and apply need of either target's client.
type apiClient interface {
	plan.Directory
	execute.Client
}

var (
	_ apiClient = (*workplace.Client)(nil)
	_ apiClient = (*scim.Client)(nil)
	// The SCIM client has groups: plan and apply find them by these.
	_ plan.GroupReader    = (*scim.Client)(nil)
	_ execute.GroupClient = (*scim.Client)(nil)
)

func (o *targetOptions) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&o.API, "api", defaultAPI(e), "the target: graph (Workplace's Graph API) or scim (a SCIM 2.0 service) (env WPIMPORT_API)")
	fs.StringVar(&o.APIURL, "api-url", e.getenv("WPIMPORT_API_URL"), "the API's base URL (env WPIMPORT_API_URL; default https://graph.facebook.com, or https://scim.workplace.com/ with --api scim); http only for loopback")
	fs.StringVar(&o.TokenFile, "token-file", "", "read the access token from this file (default: env WPIMPORT_TOKEN, else WORKPLACE_ACCESS_TOKEN)")
}

// defaultAPI is $WPIMPORT_API, else graph.
func defaultAPI(e *env) string {
	if api := e.getenv("WPIMPORT_API"); api != "" {
		return api
	}
	return apiGraph
}

// target names the API for messages.
func (o *targetOptions) target() string {
	if o.API == apiSCIM {
		return "the SCIM service"
	}
	return "Workplace"
}

// client builds the API client, its calls paced and retried by layer;
// errors are usage errors (exit 2).
func (o *targetOptions) client(e *env, layer *execute.Layer) (apiClient, error) {
	token, err := o.token(e)
	if err != nil {
		return nil, err
	}
	switch o.API {
	case apiGraph:
		c, err := workplace.New(workplace.Config{BaseURL: o.APIURL, Token: token, UserAgent: "wpimport/" + version, Wrap: layer.Wrap})
		if err != nil {
			return nil, usageErr("%v", err)
		}
		layer.Bind(c.Usage, c.BaseURL())
		return c, nil
	case apiSCIM:
		u := o.APIURL
		if u == "" {
			u = DefaultSCIMURL
		}
		c, err := scim.New(scim.Config{BaseURL: u, Token: token, UserAgent: "wpimport/" + version, Wrap: layer.Wrap})
		if err != nil {
			return nil, usageErr("%v", err)
		}
		layer.Bind(c.Usage, c.BaseURL())
		return c, nil
	}
	return nil, checkAPI(o.API)
}

// token finds the access token: --token-file, else $WPIMPORT_TOKEN, else
// $WORKPLACE_ACCESS_TOKEN, and records where it came from. Both variables
// set to different tokens is said once: a stale one must not win unseen.
func (o *targetOptions) token(e *env) (string, error) {
	if o.TokenFile != "" {
		t, err := workplace.ReadToken(o.TokenFile)
		if err != nil {
			return "", usageErr("%v", err)
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
	return "", nil // the client says that no token was given
}

// checkAPI refuses an --api that names no target.
func checkAPI(api string) error {
	if api != apiGraph && api != apiSCIM {
		return usageErr("--api must be graph or scim, not %q", api)
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

// apiFailure adds to an error that stops a command what to do about it,
// naming where the refused token came from (never the token).
func (o *targetOptions) apiFailure(err error) error {
	var ue *execute.UnreachableError
	if errors.As(err, &ue) {
		return &exitError{exitFatal, fmt.Errorf("%w\nCheck the address (--api-url or WPIMPORT_API_URL) and the network; nothing was changed by the calls that got no answer, and running the same command again resumes", err)}
	}
	from := "the token"
	if o.tokenFrom != "" {
		from = "the token from " + o.tokenFrom
	}
	switch {
	case workplace.ErrorCode(err) == 190 || workplace.ErrorCode(err) == 102:
		return &exitError{exitFatal, fmt.Errorf("%w\nThe API refused %s: it is wrong, expired or revoked. Give the right one "+
			"(--token-file wins over $WPIMPORT_TOKEN, which wins over $WORKPLACE_ACCESS_TOKEN)", err, from)}
	case workplace.IsFatal(err):
		return &exitError{exitFatal, fmt.Errorf("%w\nThe API refused a permission to %s: grant the integration its permissions "+
			"(Workplace: Provision User Accounts, Manage Work Profiles; Meta's SCIM: Manage accounts, and its allowed IP addresses), or give the token of one that has them", err, from)}
	}
	var ae *workplace.APIError
	var te *workplace.TransportError
	if errors.As(err, &ae) || errors.As(err, &te) {
		return &exitError{exitFatal, fmt.Errorf("%w\nThe service kept failing; nothing was changed. Try again later", err)}
	}
	return err
}
