package workplace

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// APIError is an error answer of the Graph API.
type APIError struct {
	Method     string // of the call, for messages
	Path       string // of the call, without query (no token, no PII)
	HTTPStatus int
	Code       int
	Subcode    int
	Type       string
	Message    string
	UserTitle  string
	UserMsg    string
	Transient  bool
	TraceID    string
	RetryAfter time.Duration
	// SCIM is set for an answer of a SCIM service: Code is then the
	// Graph code of the same meaning (so that retry rules are one), and
	// the message names the HTTP status and scimType instead.
	SCIM bool
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: ", e.Method, e.Path)
	if e.SCIM {
		return s + e.Message
	}
	if e.Code != 0 {
		s += fmt.Sprintf("Graph error %d", e.Code)
		if e.Subcode != 0 {
			s += fmt.Sprintf("/%d", e.Subcode)
		}
		s += ": " + e.Message
	} else {
		s += e.Message
	}
	if e.TraceID != "" {
		s += " (fbtrace_id " + e.TraceID + ")"
	}
	return s
}

// TransportError is a call that got no usable answer: a refused or reset
// connection, a timeout, a truncated body. For a write, whether it took
// effect is unknown.
type TransportError struct {
	Method, Path string
	Err          error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: no answer from the server: %v", e.Method, e.Path, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }

func asAPI(err error) (*APIError, bool) {
	var ae *APIError
	ok := errors.As(err, &ae)
	return ae, ok
}

// IsThrottle reports a rate-limit answer: codes 4, 17, 32, 613, 80000–80014,
// or HTTP 429.
func IsThrottle(err error) bool {
	ae, ok := asAPI(err)
	if !ok {
		return false
	}
	switch c := ae.Code; {
	case c == 4, c == 17, c == 32, c == 613, c >= 80000 && c <= 80014:
		return true
	}
	return ae.HTTPStatus == http.StatusTooManyRequests
}

// IsTransient reports an error worth retrying: throttling, codes 1, 2, 341,
// 368, an is_transient flag, an HTTP 5xx, or no answer at all.
func IsTransient(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	ae, ok := asAPI(err)
	if !ok {
		return false
	}
	if IsThrottle(err) || ae.Transient {
		return true
	}
	switch ae.Code {
	case 1, 2, 341, 368:
		return true
	case 0:
		return ae.HTTPStatus >= 500
	}
	return ae.HTTPStatus >= 500 && !IsFatal(err)
}

// IsFatal reports an error that every further call would repeat: an invalid
// or expired token (102, 190) or a missing permission (10, 200–299).
func IsFatal(err error) bool {
	ae, ok := asAPI(err)
	if !ok {
		return false
	}
	c := ae.Code
	return c == 102 || c == 190 || c == 10 || c >= 200 && c <= 299
}

// IsNotFound reports an object that does not exist (code 100 subcode 33,
// code 803, or HTTP 404).
func IsNotFound(err error) bool {
	ae, ok := asAPI(err)
	if !ok {
		return false
	}
	return ae.Code == 100 && ae.Subcode == 33 || ae.Code == 803 || ae.HTTPStatus == http.StatusNotFound
}

// IsVersionConflict reports a write refused because the object changed
// since the version sent in If-Match (HTTP 412, SCIM).
func IsVersionConflict(err error) bool {
	ae, ok := asAPI(err)
	return ok && ae.HTTPStatus == http.StatusPreconditionFailed
}

// IsInvalidParameter reports code 100 other than not-found: the call was
// refused as it stands and retrying it will not help.
func IsInvalidParameter(err error) bool {
	ae, ok := asAPI(err)
	return ok && ae.Code == 100 && !IsNotFound(err)
}

// IsUnknownOutcome reports a write whose effect cannot be known from the
// answer: no answer, or a server error.
func IsUnknownOutcome(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	ae, ok := asAPI(err)
	return ok && (ae.HTTPStatus >= 500 || ae.Code == 1 || ae.Code == 2)
}

// ErrorCode returns the Graph code of err, or 0.
func ErrorCode(err error) int {
	if ae, ok := asAPI(err); ok {
		return ae.Code
	}
	return 0
}
