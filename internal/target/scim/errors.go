package scim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/transport"
)

// classify is the one place an answer becomes a value or a classified
// *target.Error. resp is nil when no answer came, and err says why; err
// with resp means the body was torn. A success is decoded into out.
//
// The kind follows the HTTP status, whatever the body's shape: 401 and 403
// fatal, 429 throttled, 5xx transient, 404 not found, 409 conflict, 412
// precondition failed, any other 4xx invalid. Code and Message are the
// service's own (see words).
func (c *Client) classify(req request, resp *http.Response, data []byte, err error, out any) error {
	e := &target.Error{Target: Name, Method: req.method, Path: req.path}
	if resp != nil {
		e.Status = resp.StatusCode
	}
	switch {
	case resp == nil || err != nil:
		e.Kind, e.Err = target.UnknownOutcome, transport.ScrubError(err, c.token)
		return e
	case e.Status >= 200 && e.Status < 300:
		if len(data) > maxBody {
			e.Kind, e.Message = target.UnknownOutcome, fmt.Sprintf("the answer is larger than %d MiB; wpimport did not read it", maxBody>>20)
			return e
		}
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			e.Kind, e.Err = target.UnknownOutcome, err
			e.Message = fmt.Sprintf("the service answered HTTP %d with a body that is not the JSON expected (%v)", e.Status, err)
			return e
		}
		return nil
	case e.Status >= 300 && e.Status < 400:
		loc := resp.Header.Get("Location")
		if lu, err := url.Parse(loc); err == nil {
			loc = lu.Redacted()
		}
		e.Kind = target.Invalid
		e.Message = fmt.Sprintf("the server redirects (HTTP %d) to %q; wpimport never follows a redirect, as the token would go along",
			e.Status, transport.Scrub(loc, c.token))
		return e
	}
	e.Kind = kindOf(e.Status)
	e.RetryAfter = transport.RetryAfter(resp.Header.Get("Retry-After"))
	e.Code, e.Message = words(data)
	e.Message = tidy(transport.Scrub(e.Message, c.token))
	if e.Message == "" {
		e.Message = cmp.Or(http.StatusText(e.Status), "HTTP "+strconv.Itoa(e.Status))
	}
	return e
}

// kindOf classifies an error status.
func kindOf(status int) target.Kind {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return target.Fatal // the token, a permission or an IP allow-list: every call would fail so
	case status == http.StatusTooManyRequests:
		return target.Throttled
	case status == http.StatusNotImplemented:
		// Not a passing fault: the service does not do this at all (RFC
		// 7644 §3.12; Salesforce answers a DELETE so, §7).
		return target.Invalid
	case status >= 500:
		return target.Transient
	case status == http.StatusNotFound:
		return target.NotFound
	case status == http.StatusConflict:
		return target.Conflict
	case status == http.StatusPreconditionFailed:
		return target.PreconditionFailed
	}
	return target.Invalid
}

// words reads the service's code and words from an error body of any
// shape services answer:
//   - RFC 7644 §3.12: {"status": "409" or 409, "scimType", "detail"}, with
//     AWS's extra (misspelt "schema", exceptionRequestId) and Zoom's
//     numeric status alike;
//   - Slack: {"Errors": {"description", "code"}} and, in v1,
//     {"Errors": [{"description", "code"}]};
//   - Graph-style (Meta): {"error": {"message", "code", "error_subcode"}},
//     and OAuth's {"error": "…", "error_description": "…"};
//   - plain text (or HTML, or a bare JSON string): its first line.
//
// code is the scimType, else the Graph-style code ("190", "190/463"),
// else "": Slack's code is the HTTP status again, not a code of its own.
func words(data []byte) (code, msg string) {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		var text string
		if json.Unmarshal(data, &text) == nil { // a bare JSON string
			return "", text
		}
		return "", string(data)
	}
	code = str(m, "scimType")
	msg = str(m, "detail")
	switch e := get(m, "error").(type) {
	case map[string]any:
		if code == "" {
			code = graphCode(e)
		}
		msg = cmp.Or(msg, str(e, "message"), str(e, "error_user_msg"))
	case string:
		msg = cmp.Or(msg, str(m, "error_description"), e)
	}
	switch e := get(m, "Errors").(type) {
	case map[string]any:
		msg = cmp.Or(msg, str(e, "description"), str(e, "detail"))
	case []any:
		for _, x := range e {
			if xm, ok := x.(map[string]any); ok {
				msg = cmp.Or(msg, str(xm, "description"), str(xm, "detail"))
			}
		}
	}
	return code, cmp.Or(msg, str(m, "message"), str(m, "description"))
}

// graphCode is a Graph-style error's code as text: "190", or "190/463"
// with a subcode.
func graphCode(e map[string]any) string {
	code := str(e, "code")
	if code == "" {
		return ""
	}
	if sub := str(e, "error_subcode"); sub != "" && sub != "0" {
		code += "/" + sub
	}
	return code
}

// maxWords bounds the service's words in a message.
const maxWords = 300

// tidy keeps the first line of s, at most maxWords characters.
func tidy(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if utf8.RuneCountInString(s) > maxWords {
		r := []rune(s)
		s = string(r[:maxWords]) + "…"
	}
	return s
}

// invalid is a refusal made here, before any call: a value the service
// cannot take.
func invalid(method, path, format string, args ...any) *target.Error {
	return &target.Error{Kind: target.Invalid, Target: Name, Method: method, Path: path, Message: fmt.Sprintf(format, args...)}
}
