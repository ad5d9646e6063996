package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/transport"
)

// DefaultURL is the Graph API host.
const DefaultURL = "https://graph.facebook.com"

// Name is the target's registered name.
const Name = "graph"

func init() {
	target.Register(Name, target.Registration{
		Open:    func(cfg target.Config) (target.Target, error) { return New(cfg) },
		Service: "Workplace's Graph API",
		// Graph documents no settable start date or location, and has
		// no static groups and no userName (API-NOTES.md).
		NeverCarried: []roster.Field{roster.StartDate, roster.Location, roster.Groups, roster.UserName},
	})
}

// Client calls the Graph API. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	ua    string
	hc    *http.Client
	wrap  target.Wrap
	usage atomic.Int64 // last X-App-Usage, max of its figures, percent
	calls atomic.Int64

	capsOnce sync.Once
	caps     *target.Capabilities
}

var (
	_ target.Target        = (*Client)(nil)
	_ target.PeopleSets    = (*Client)(nil)
	_ target.UsageReporter = (*Client)(nil)
)

// New checks cfg and returns a client.
func New(cfg target.Config) (*Client, error) {
	raw := cfg.URL
	if raw == "" {
		raw = DefaultURL
	}
	u, err := transport.BaseURL(raw, DefaultURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("no access token: set WPIMPORT_TOKEN (or WORKPLACE_ACCESS_TOKEN), or give --token-file FILE")
	}
	if cfg.Dialect != "" || cfg.Bulk {
		return nil, errors.New("--scim-dialect and --bulk are for SCIM services (--api scim); the Graph API has neither")
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "wpimport/dev"
	}
	return &Client{base: u, token: strings.TrimSpace(cfg.Token), ua: ua, hc: transport.HTTPClient(cfg.HTTPClient), wrap: cfg.Wrap}, nil
}

// URL returns the API URL the client talks to.
func (c *Client) URL() string { return c.base.String() }

// Usage returns the last X-App-Usage figure seen, in percent (0 if none).
func (c *Client) Usage() int { return int(c.usage.Load()) }

// Calls returns how many calls the client made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// Close does nothing: the client runs nothing in the background.
func (c *Client) Close() error { return nil }

// request is one call.
type request struct {
	method string
	path   string     // "/community/accounts", "/123"
	query  url.Values // sent in the URL
	form   url.Values // sent as the form body (writes)
	body   []byte     // a multipart body instead of form
	ctype  string
	full   string // a full URL to follow (paging next), instead of path+query
	weight int    // API calls this request costs (default 1)
	// idempotent says the request may be repeated after an error: reads,
	// and updates that set absolute values.
	idempotent bool
}

// do sends req through the caller's wrapper, if any.
func (c *Client) do(ctx context.Context, req request, out any) error {
	call := func(ctx context.Context) error { return c.send(ctx, req, out) }
	if c.wrap == nil {
		return call(ctx)
	}
	return c.wrap(ctx, target.Call{Method: req.method, Path: req.path, Idempotent: req.idempotent, Weight: max(req.weight, 1)}, call)
}

// send makes one HTTP request and decodes a successful answer into out.
func (c *Client) send(ctx context.Context, req request, out any) error {
	where := req.full
	if where == "" {
		u := *c.base
		u.Path = c.base.Path + req.path
		u.RawQuery = req.query.Encode()
		where = u.String()
	}
	var body io.Reader
	ctype := req.ctype
	switch {
	case req.body != nil:
		body = bytes.NewReader(req.body)
	case req.form != nil:
		body = strings.NewReader(req.form.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, where, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("User-Agent", c.ua)
	hr.Header.Set("Accept", "application/json")
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	c.calls.Add(1)
	resp, err := c.hc.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.noAnswer(req, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return c.noAnswer(req, err)
	}
	c.recordUsage(resp.Header)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc := resp.Header.Get("Location")
		if lu, err := url.Parse(loc); err == nil {
			loc = lu.Redacted()
		}
		return &target.Error{Kind: target.Invalid, Target: Name, Method: req.method, Path: req.path, Status: resp.StatusCode,
			Message: fmt.Sprintf("the server redirects (HTTP %d) to %q; wpimport never follows a redirect, as the token would go along: "+
				"if that is the service's real address, give it as --api-url", resp.StatusCode, transport.Scrub(loc, c.token))}
	}
	// Whatever the server says may echo the request, token included.
	data = []byte(transport.Scrub(string(data), c.token))
	return classify(req.method, req.path, resp, data, out)
}

func (c *Client) noAnswer(req request, err error) error {
	return &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: req.method, Path: req.path, Err: transport.ScrubError(err, c.token)}
}

func (c *Client) recordUsage(h http.Header) {
	v := h.Get("X-App-Usage")
	if v == "" {
		return
	}
	var u struct {
		CallCount    int `json:"call_count"`
		TotalTime    int `json:"total_time"`
		TotalCPUTime int `json:"total_cputime"`
	}
	if json.Unmarshal([]byte(v), &u) == nil {
		c.usage.Store(int64(max(u.CallCount, u.TotalTime, u.TotalCPUTime)))
	}
}

// classify is the one place a response becomes a value or a classified
// error.
func classify(method, path string, resp *http.Response, data []byte, out any) error {
	var env struct {
		Error *graphError `json:"error"`
	}
	jsonErr := json.Unmarshal(data, &env)
	if jsonErr == nil && env.Error != nil {
		e := env.Error
		msg := e.Message
		if e.UserMsg != "" && !strings.Contains(msg, e.UserMsg) {
			msg += " (" + e.UserMsg + ")"
		}
		if e.TraceID != "" {
			msg += " (fbtrace_id " + e.TraceID + ")"
		}
		return &target.Error{Kind: kindOf(resp.StatusCode, e), Target: Name, Method: method, Path: path, Status: resp.StatusCode,
			Code: codeText(e), Message: msg, RetryAfter: transport.RetryAfter(resp.Header.Get("Retry-After"))}
	}
	if resp.StatusCode >= 300 || jsonErr != nil || len(bytes.TrimSpace(data)) == 0 {
		snippet := strings.Join(strings.Fields(string(data)), " ")
		if len(snippet) > 120 {
			snippet = snippet[:120] + "…"
		}
		msg := fmt.Sprintf("unexpected answer (HTTP %d, %s)", resp.StatusCode, resp.Header.Get("Content-Type"))
		if snippet == "" {
			msg += ", empty body"
		} else {
			msg += ": " + snippet
		}
		kind := kindOf(resp.StatusCode, nil)
		if resp.StatusCode < 300 {
			kind = target.UnknownOutcome // a success we cannot read: a write's effect is unknown
		}
		return &target.Error{Kind: kind, Target: Name, Method: method, Path: path, Status: resp.StatusCode, Message: msg,
			RetryAfter: transport.RetryAfter(resp.Header.Get("Retry-After"))}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: method, Path: path, Status: resp.StatusCode,
				Message: "cannot decode the answer: " + err.Error()}
		}
	}
	return nil
}

// multipartBody builds a multipart form with one file.
func multipartBody(fileField, fileName string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile(fileField, fileName)
	if err != nil {
		return nil, "", err
	}
	fw.Write(data)
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
