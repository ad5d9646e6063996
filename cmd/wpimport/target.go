package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/wpimport/wpimport/internal/execute"

	"github.com/wpimport/wpimport/internal/workplace"
)

// targetOptions say which API to talk to and where the token comes from.
// The token itself is never a flag.
type targetOptions struct {
	APIURL    string
	TokenFile string
}

func (o *targetOptions) register(fs *flag.FlagSet, e *env) {
	def := e.getenv("WPIMPORT_API_URL")
	if def == "" {
		def = workplace.DefaultBaseURL
	}
	fs.StringVar(&o.APIURL, "api-url", def, "Graph API base URL (env WPIMPORT_API_URL); http only for loopback")
	fs.StringVar(&o.TokenFile, "token-file", "", "read the access token from this file (default: env WORKPLACE_ACCESS_TOKEN)")
}

// client builds the API client, its calls paced and retried by layer;
// errors are usage errors (exit 2).
func (o *targetOptions) client(e *env, layer *execute.Layer) (*workplace.Client, error) {
	token := e.getenv("WORKPLACE_ACCESS_TOKEN")
	if o.TokenFile != "" {
		t, err := workplace.ReadToken(o.TokenFile)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		token = t
		if st, err := os.Stat(o.TokenFile); err == nil && st.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
			fmt.Fprintf(e.stderr, "Warning: the token file %s can be read by other users; restrict it: chmod 600 %s\n", o.TokenFile, o.TokenFile)
		}
	}
	c, err := workplace.New(workplace.Config{BaseURL: o.APIURL, Token: token, UserAgent: "wpimport/" + version, Wrap: layer.Wrap})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	layer.Bind(c.Usage, c.BaseURL())
	return c, nil
}

func apiFailure(err error) error {
	var ue *execute.UnreachableError
	if errors.As(err, &ue) {
		return &exitError{exitFatal, fmt.Errorf("%w\nCheck the address (--api-url or WPIMPORT_API_URL) and the network; nothing was changed by the calls that got no answer, and running the same command again resumes", err)}
	}
	if workplace.IsFatal(err) {
		return &exitError{exitFatal, fmt.Errorf("%w\nThe API refused the token or a permission: check WORKPLACE_ACCESS_TOKEN (or --token-file) and the integration's permissions (Provision User Accounts, Manage Work Profiles)", err)}
	}
	var ae *workplace.APIError
	var te *workplace.TransportError
	if errors.As(err, &ae) || errors.As(err, &te) {
		return &exitError{exitFatal, fmt.Errorf("%w\nThe service kept failing; nothing was changed. Try again later", err)}
	}
	return err
}
