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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Config configures a Client.
type Config struct {
	BaseURL    string // the SCIM base, e.g. https://scim.workplace.com/ ; http only for loopback
	Token      string
	UserAgent  string // "wpimport/<version>"; sent on every request (Meta requires one)
	HTTPClient *http.Client
	// Wrap paces and retries every call (package execute's Layer.Wrap).
	Wrap func(ctx context.Context, method string, weight int, call func(context.Context) error) error
	// PageSize is the count asked for per listing page (default 100).
	PageSize int
}

// Client talks to one SCIM service. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	token    string
	ua       string
	hc       *http.Client
	wrap     func(ctx context.Context, method string, weight int, call func(context.Context) error) error
	pageSize int
	calls    atomic.Int64

	mu       sync.Mutex
	caps     *Caps
	versions map[string]string // id → version last read
	unsure   map[string]bool   // ids a write of unknown outcome touched
	pinned   map[string]string // id → the version the plan read (PinVersions)
	// phones are the numbers (digits) of accounts this client created,
	// as far as it knows them: AddPhone needs no read for these.
	phones   map[string]map[string]bool
	inactive []workplace.Account
	listed   bool    // a whole listing completed: inactive is every inactive account
	bulk     *bulker // nil unless EnableBulk
}

// maxBody bounds an answer's body; maxRetryAfter the pause a service's
// Retry-After may impose.
const (
	maxBody       = 32 << 20
	maxRetryAfter = 10 * time.Minute
)

// New makes a client for the service at cfg.BaseURL.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("give the SCIM service's base URL (--api-url), e.g. https://scim.workplace.com/")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the SCIM URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if u.Scheme == "http" && !workplace.IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("the SCIM URL %s is plain http: the token would travel in clear; use https (http is allowed only on this machine)", u.Redacted())
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the SCIM URL must not carry a user, a query or a fragment: %s", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("no access token: set WPIMPORT_TOKEN (or WORKPLACE_ACCESS_TOKEN), or give --token-file")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	c := *hc
	// The token goes to this one server: never follow a redirect.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ps := cfg.PageSize
	if ps <= 0 {
		ps = 100
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "wpimport"
	}
	return &Client{base: u, token: token, ua: ua, hc: &c, wrap: cfg.Wrap, pageSize: ps, versions: map[string]string{}, unsure: map[string]bool{}, pinned: map[string]string{}, phones: map[string]map[string]bool{}}, nil
}

// BaseURL is the service's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// Calls counts the HTTP requests made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// Usage is 0: SCIM services publish no usage header.
func (c *Client) Usage() int { return 0 }

// request is one HTTP call.
type request struct {
	method  string
	path    string // under the base, e.g. /Users/123
	query   url.Values
	body    any
	ifMatch string
}

// answer is what came back.
type answer struct {
	status int
	header http.Header
}

// do makes a call through the pacing layer and decodes the answer into
// out; any status of 300 or more is an *workplace.APIError.
func (c *Client) do(ctx context.Context, req request, out any) (answer, error) {
	var ans answer
	call := func(ctx context.Context) error {
		var err error
		ans, err = c.send(ctx, req, out)
		return err
	}
	if c.wrap != nil {
		return ans, c.wrap(ctx, req.method, 1, call)
	}
	return ans, call(ctx)
}

func (c *Client) send(ctx context.Context, req request, out any) (answer, error) {
	u := *c.base
	// req.path is escaped (ids go through url.PathEscape): keep it so.
	raw, err := url.PathUnescape(req.path)
	if err != nil {
		return answer{}, err
	}
	u.Path, u.RawPath = c.base.Path+raw, c.base.EscapedPath()+req.path
	if len(req.query) > 0 {
		u.RawQuery = strings.ReplaceAll(req.query.Encode(), "+", "%20")
	}
	var body io.Reader
	if req.body != nil {
		data, err := json.Marshal(req.body)
		if err != nil {
			return answer{}, err
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return answer{}, err
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
		return answer{}, &workplace.TransportError{Method: req.method, Path: req.path, Err: errors.New(c.scrub(err.Error()))}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	ans := answer{status: resp.StatusCode, header: resp.Header}
	if err != nil {
		return ans, &workplace.TransportError{Method: req.method, Path: req.path, Err: errors.New(c.scrub(err.Error()))}
	}
	if len(data) > maxBody {
		return ans, &workplace.APIError{SCIM: true, Method: req.method, Path: req.path, HTTPStatus: resp.StatusCode, Code: 1,
			Message: fmt.Sprintf("the answer is larger than %d MiB", maxBody>>20)}
	}
	if resp.StatusCode >= 300 {
		return ans, c.apiError(req, resp, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return ans, &workplace.TransportError{Method: req.method, Path: req.path, Err: fmt.Errorf("the answer is not the JSON expected: %v", err)}
		}
	}
	return ans, nil
}

// scrub removes the token from any text a server or the transport made.
func (c *Client) scrub(s string) string { return workplace.ScrubText(s, c.token) }

// apiError reads an error answer of any shape: RFC 7644 §3.12 (status a
// string or a number), Graph's {"error":{…}}, or plain text.
func (c *Client) apiError(req request, resp *http.Response, data []byte) error {
	e := &workplace.APIError{SCIM: true, Method: req.method, Path: req.path, HTTPStatus: resp.StatusCode}
	e.RetryAfter = min(workplace.RetryAfter(resp.Header.Get("Retry-After")), maxRetryAfter)
	var body struct {
		Status   any    `json:"status"`
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
		Error    *struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
			Subcode int    `json:"error_subcode"`
		} `json:"error"`
	}
	text := ""
	scimType := ""
	if json.Unmarshal(data, &body) == nil {
		switch {
		case body.Error != nil:
			e.Code, e.Subcode = body.Error.Code, body.Error.Subcode
			text = body.Error.Message
		default:
			scimType, text = body.ScimType, body.Detail
		}
	} else {
		text = strings.TrimSpace(string(data))
		if i := strings.IndexAny(text, "\r\n"); i >= 0 {
			text = text[:i]
		}
		if len(text) > 300 {
			text = text[:300] + "…"
		}
	}
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	if e.Code == 0 {
		e.Code = codeFor(resp.StatusCode)
		if resp.StatusCode == http.StatusNotFound {
			e.Subcode = 33
		}
	}
	e.Transient = e.Code == 2 || e.Code == 4
	head := "HTTP " + strconv.Itoa(resp.StatusCode)
	if scimType != "" {
		head += " " + scimType
	}
	e.Type = scimType
	e.Message = c.scrub(head + ": " + text + hint(resp.StatusCode, scimType))
	return e
}

// codeFor is the Graph code of the same meaning as an HTTP status, so that
// the retry and stop rules (package workplace) serve both targets.
func codeFor(status int) int {
	switch {
	case status == http.StatusUnauthorized:
		return 190 // the token: stop the run
	case status == http.StatusForbidden:
		return 10 // a permission (or an IP allow-list): stop the run
	case status == http.StatusTooManyRequests:
		return 4
	case status >= 500:
		return 2
	}
	return 100 // refused as it stands
}

func hint(status int, scimType string) string {
	switch {
	case status == http.StatusUnauthorized:
		return " (the service refused the token)"
	case status == http.StatusForbidden:
		return " (check the integration's permissions and, for Meta, its allowed IP addresses)"
	case status == http.StatusPreconditionFailed:
		return " (the account changed since it was read: make a new plan)"
	case scimType == "uniqueness":
		return " (another account has this userName or externalId)"
	}
	return ""
}
