package workplace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wpimport/wpimport/internal/safefile"
)

// DefaultBaseURL is the Graph API host.
const DefaultBaseURL = "https://graph.facebook.com"

// Config builds a Client.
type Config struct {
	BaseURL    string // DefaultBaseURL if empty; http:// only for loopback hosts
	Token      string
	UserAgent  string // "wpimport/<version>"
	HTTPClient *http.Client
	// Wrap, if set, wraps every HTTP call: pacing and retrying are layers
	// the caller supplies (package execute). weight is the number of API
	// calls the request costs (?ids= counts each id).
	Wrap func(ctx context.Context, method string, weight int, call func(context.Context) error) error
}

// Client calls the Graph API. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	ua    string
	hc    *http.Client
	usage atomic.Int64 // last X-App-Usage, max of its figures, percent
	calls atomic.Int64
	wrap  func(ctx context.Context, method string, weight int, call func(context.Context) error) error
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("API URL %q is not a URL like https://graph.facebook.com", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("API URL %s: plain http is allowed only for loopback addresses (127.0.0.1, ::1, localhost); use https", u.Redacted())
		}
	default:
		return nil, fmt.Errorf("API URL %s: the scheme must be https", u.Redacted())
	}
	if u.User != nil {
		return nil, fmt.Errorf("API URL must not carry credentials; give the token through WORKPLACE_ACCESS_TOKEN or --token-file")
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("no access token: set WORKPLACE_ACCESS_TOKEN or pass --token-file FILE")
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		hc.Transport = tr
	}
	// Never follow a redirect: Go keeps the Authorization header for the
	// same host on another port or scheme. A 3xx is an error instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ua := cfg.UserAgent
	if ua == "" {
		ua = "wpimport/dev"
	}
	return &Client{base: u, token: strings.TrimSpace(cfg.Token), ua: ua, hc: hc, wrap: cfg.Wrap}, nil
}

// IsLoopback reports a host on this machine (localhost, 127.0.0.0/8, ::1):
// the only hosts a token may travel to over plain http.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ReadToken reads a token from a file, trimming white space.
func ReadToken(path string) (string, error) {
	b, err := safefile.ReadFile(path, 64<<10)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return t, nil
}

// BaseURL returns the API URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Usage returns the last X-App-Usage figure seen, in percent (0 if none).
func (c *Client) Usage() int { return int(c.usage.Load()) }

// Calls returns how many calls the client made.
func (c *Client) Calls() int64 { return c.calls.Load() }

// request is one call.
type request struct {
	method string
	path   string     // "/community/accounts", "/123"
	query  url.Values // sent in the URL
	form   url.Values // sent as the form body (writes)
	body   io.Reader  // a multipart body instead of form
	ctype  string
	full   string // a full URL to follow (paging next), instead of path+query
	weight int    // API calls this request costs (default 1)
}

// do sends req through the caller's wrapper, if any.
func (c *Client) do(ctx context.Context, req request, out any) error {
	call := func(ctx context.Context) error { return c.send(ctx, req, out) }
	if req.body != nil {
		// A body can be read once: keep it for every try.
		data, err := io.ReadAll(req.body)
		if err != nil {
			return err
		}
		call = func(ctx context.Context) error {
			r := req
			r.body = bytes.NewReader(data)
			return c.send(ctx, r, out)
		}
	}
	if c.wrap == nil {
		return call(ctx)
	}
	return c.wrap(ctx, req.method, max(req.weight, 1), call)
}

// send makes one HTTP request and decodes a successful answer into out.
func (c *Client) send(ctx context.Context, req request, out any) error {
	target := req.full
	if target == "" {
		u := *c.base
		u.Path = c.base.Path + req.path
		u.RawQuery = req.query.Encode()
		target = u.String()
	}
	var body io.Reader
	ctype := req.ctype
	switch {
	case req.body != nil:
		body = req.body
	case req.form != nil:
		body = strings.NewReader(req.form.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, target, body)
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
		return &TransportError{Method: req.method, Path: req.path, Err: scrub(err, c.token)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &TransportError{Method: req.method, Path: req.path, Err: scrub(err, c.token)}
	}
	c.recordUsage(resp.Header)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		where := resp.Header.Get("Location")
		if lu, err := url.Parse(where); err == nil {
			where = lu.Redacted()
		}
		return &APIError{Method: req.method, Path: req.path, HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the server redirects (HTTP %d) to %q; wpimport never follows a redirect, as the token would go along: "+
				"if that is the service's real address, give it as --api-url", resp.StatusCode, ScrubText(where, c.token))}
	}
	// Whatever the server says may echo the request, token included.
	if len(c.token) >= minScrub {
		data = bytes.ReplaceAll(data, []byte(c.token), []byte("[token]"))
	}
	return checkResponse(req.method, req.path, resp, data, out)
}

// minScrub is the shortest token removed from server text: a shorter one
// (a test's "t") would mangle every word it is part of.
const minScrub = 8

// ScrubText removes the token from text a server or the transport made
// (tokens shorter than minScrub are left: they would match ordinary text).
func ScrubText(s, token string) string {
	if len(token) < minScrub {
		return s
	}
	return strings.ReplaceAll(s, token, "[token]")
}

// scrub removes the token from an error's text (a URL in a transport error
// never carries it, but be sure).
func scrub(err error, token string) error {
	if s := err.Error(); ScrubText(s, token) != s {
		return errors.New(ScrubText(s, token))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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

// checkResponse is the one place a response becomes a value or an error.
func checkResponse(method, path string, resp *http.Response, data []byte, out any) error {
	var env struct {
		Error *struct {
			Message   string `json:"message"`
			Type      string `json:"type"`
			Code      int    `json:"code"`
			Subcode   int    `json:"error_subcode"`
			UserTitle string `json:"error_user_title"`
			UserMsg   string `json:"error_user_msg"`
			Transient bool   `json:"is_transient"`
			TraceID   string `json:"fbtrace_id"`
		} `json:"error"`
	}
	jsonErr := json.Unmarshal(data, &env)
	if jsonErr == nil && env.Error != nil {
		e := env.Error
		return &APIError{Method: method, Path: path, HTTPStatus: resp.StatusCode, Code: e.Code, Subcode: e.Subcode, Type: e.Type,
			Message: e.Message, UserTitle: e.UserTitle, UserMsg: e.UserMsg, Transient: e.Transient, TraceID: e.TraceID,
			RetryAfter: RetryAfter(resp.Header.Get("Retry-After"))}
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
		return &APIError{Method: method, Path: path, HTTPStatus: resp.StatusCode, Message: msg,
			RetryAfter: RetryAfter(resp.Header.Get("Retry-After"))}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &APIError{Method: method, Path: path, HTTPStatus: resp.StatusCode, Message: "cannot decode the answer: " + err.Error()}
		}
	}
	return nil
}

// RetryAfter reads a Retry-After header: seconds or an HTTP date.
func RetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// multipartBody builds a multipart form with fields and one file.
func multipartBody(fields map[string]string, fileField, fileName string, data []byte) (io.Reader, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			return nil, "", err
		}
	}
	fw, err := w.CreateFormFile(fileField, fileName)
	if err != nil {
		return nil, "", err
	}
	fw.Write(data)
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}
