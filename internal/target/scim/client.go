package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/transport"
)

// DefaultURL is Meta's SCIM service for work accounts.
const DefaultURL = "https://scim.workplace.com/"

// Name is the target's registered name.
const Name = "scim"

func init() {
	target.Register(Name, target.Registration{
		Open:    func(cfg target.Config) (target.Target, error) { return New(cfg) },
		Service: "a SCIM 2.0 service",
		// SCIM has no frontline status, no picture upload (photos are
		// URLs) and no location attribute of a User.
		NeverCarried: []roster.Field{roster.IsFrontline, roster.HasAccess, roster.PictureFile, roster.Location},
		NoPeopleSets: true,
		Dialects:     DialectNames(),
	})
}

// Client talks to one SCIM service. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	token    string
	ua       string
	hc       *http.Client
	wrap     target.Wrap
	pageSize int
	calls    atomic.Int64

	// The service's dialect (dialect.go), chosen by name or by the URL's
	// host; from says which, for wpimport check.
	dialect     *dialect
	dialectFrom string

	// discovery, asked once (discovery.go), and the capabilities and the
	// wire made of it with the dialect (caps.go); probes replace both with
	// narrower copies (narrow).
	discMu sync.Mutex
	disc   *Discovery
	caps   *target.Capabilities
	wire   *wire
	// entitlement is the id of the profile new users get (Salesforce).
	entitlement string

	usage usage // the rate budget the answers' headers tell (usage.go)

	// Bulk (bulk.go): wanted says the caller asked for it; the batcher
	// starts at the first write, once discovery says the service has it.
	bulkWanted bool
	bulkMu     sync.Mutex
	bulk       *bulker
	bulkClosed bool
	bulkGone   bool // POST /Bulk answered 404: no more Bulk
	bulkHold   int  // tests: gather exactly this many operations a request
}

var (
	_ target.Target        = (*Client)(nil)
	_ target.Groups        = (*Client)(nil)
	_ target.UsageReporter = (*Client)(nil)
)

// maxBody bounds an answer's body.
const maxBody = 32 << 20

// New checks cfg and returns a client for the service at cfg.URL.
func New(cfg target.Config) (*Client, error) {
	raw := cfg.URL
	if strings.TrimSpace(raw) == "" {
		raw = DefaultURL
	}
	u, err := transport.BaseURL(raw, DefaultURL)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("no access token: set WPIMPORT_TOKEN (or WORKPLACE_ACCESS_TOKEN), or give --token-file FILE")
	}
	dl, from, err := chooseDialect(cfg.Dialect, u)
	if err != nil {
		return nil, err
	}
	ps := cfg.PageSize
	if ps <= 0 {
		ps = 100
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "wpimport/dev" // Meta's service refuses a request without one
	}
	return &Client{base: u, token: token, ua: ua, hc: transport.HTTPClient(cfg.HTTPClient), wrap: cfg.Wrap,
		pageSize: ps, bulkWanted: cfg.Bulk, dialect: dl, dialectFrom: from}, nil
}

// URL is the service's base URL.
func (c *Client) URL() string { return c.base.String() }

// Calls counts the HTTP requests made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// request is one HTTP call.
type request struct {
	method  string
	path    string // under the base, escaped: /Users/a%20b
	query   url.Values
	body    any
	ifMatch string
	// idempotent says the request may be sent again after an error with
	// no harm (target.Call.Idempotent).
	idempotent bool
}

// answer is what came back besides the body.
type answer struct {
	status int
	header http.Header
	bulk   bool // answered as one operation of a Bulk request
}

// do sends req through the caller's Wrap and decodes a success into out.
//
// A write sent with If-Match whose answer was lost (or was a 5xx) may
// have taken effect: the version sent is then perhaps our own old one,
// and a repeat with it would be refused by our own change. So a repeat
// after such an attempt goes without If-Match; that state lives only in
// this one request's closure.
func (c *Client) do(ctx context.Context, req request, out any) (answer, error) {
	var ans answer
	ifMatch := req.ifMatch
	call := func(ctx context.Context) error {
		r := req
		r.ifMatch = ifMatch
		var err error
		ans, err = c.send(ctx, r, out)
		if ifMatch != "" && target.IsUnknownOutcome(err) {
			ifMatch = ""
		}
		return err
	}
	if c.wrap == nil {
		return ans, call(ctx)
	}
	return ans, c.wrap(ctx, target.Call{Method: req.method, Path: req.path, Idempotent: req.idempotent, Weight: 1}, call)
}

// send makes one HTTP request and hands the answer to classify.
func (c *Client) send(ctx context.Context, req request, out any) (answer, error) {
	u := *c.base
	// req.path is escaped (ids go through url.PathEscape): keep it so.
	raw, err := url.PathUnescape(req.path)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	u.Path, u.RawPath = c.base.Path+raw, c.base.EscapedPath()+req.path
	if len(req.query) > 0 {
		u.RawQuery = strings.ReplaceAll(req.query.Encode(), "+", "%20")
	}
	var body io.Reader
	if req.body != nil {
		data, err := json.Marshal(req.body)
		if err != nil {
			return answer{}, fmt.Errorf("%s %s: %w", req.method, req.path, err)
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("User-Agent", c.ua)
	hr.Header.Set("Accept", "application/scim+json, application/json")
	if body != nil {
		hr.Header.Set("Content-Type", "application/scim+json")
	}
	if req.ifMatch != "" {
		hr.Header.Set("If-Match", req.ifMatch)
	}
	c.calls.Add(1)
	resp, err := c.hc.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return answer{}, ctx.Err()
		}
		return answer{}, c.classify(req, nil, nil, err, nil)
	}
	defer resp.Body.Close()
	c.usage.observe(resp.Header, time.Now())
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	ans := answer{status: resp.StatusCode, header: resp.Header}
	if err != nil && ctx.Err() != nil {
		return ans, ctx.Err()
	}
	return ans, c.classify(req, resp, data, err, out)
}
