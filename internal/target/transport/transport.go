// Package transport holds what every HTTP target shares: the check that a
// token travels only over https (or to this machine), a client that never
// follows a redirect, token scrubbing and Retry-After.
package transport

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// IsLoopback reports a host on this machine (localhost, 127.0.0.0/8, ::1):
// the only hosts a token may travel to over plain http.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL parses a service's base URL: https, or http to this machine;
// no credentials, query or fragment. example is shown in messages.
func BaseURL(raw, example string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the API URL %q is not an http(s) URL like %s", raw, example)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("the API URL %s is plain http: the token would travel in clear; use https (http is allowed only to this machine: 127.0.0.1, ::1, localhost)", u.Redacted())
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the API URL must not carry a user, a query or a fragment: %s (the token goes in WPIMPORT_TOKEN or --token-file)", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// HTTPClient returns a copy of hc (or a new client with a 60 s timeout)
// that never follows a redirect: Go would keep the Authorization header
// for the same host on another port or scheme.
func HTTPClient(hc *http.Client) *http.Client {
	c := &http.Client{Timeout: 60 * time.Second}
	if hc != nil {
		*c = *hc
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		c.Transport = tr
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// minScrub is the shortest token removed from server text: a shorter one
// (a test's "t") would mangle every word it is part of.
const minScrub = 8

// Scrub removes the token from text a server or the transport made.
func Scrub(s, token string) string {
	if len(token) < minScrub {
		return s
	}
	return strings.ReplaceAll(s, token, "[token]")
}

// ScrubError removes the token from an error's text, and the URL wrapper
// from a transport error (its URL never carries the token, but be sure).
func ScrubError(err error, token string) error {
	if s := err.Error(); Scrub(s, token) != s {
		return errors.New(Scrub(s, token))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// MaxRetryAfter bounds the pause a server's Retry-After may impose.
const MaxRetryAfter = 10 * time.Minute

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date,
// at most MaxRetryAfter.
func RetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, MaxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), MaxRetryAfter)
	}
	return 0
}
