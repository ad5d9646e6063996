package graph

import (
	"net/http"
	"strconv"

	"github.com/wpimport/wpimport/internal/target"
)

// graphError is Graph's error body (API-NOTES.md).
type graphError struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	UserTitle string `json:"error_user_title"`
	UserMsg   string `json:"error_user_msg"`
	Transient bool   `json:"is_transient"`
	TraceID   string `json:"fbtrace_id"`
}

// kindOf classifies a Graph error answer: decide on the code, not the HTTP
// status (errors arrive as 400, 401, 403 and 500 alike).
func kindOf(status int, e *graphError) target.Kind {
	c := 0
	if e != nil {
		c = e.Code
	}
	switch {
	case c == 4 || c == 17 || c == 32 || c == 613 || c >= 80000 && c <= 80014 || status == http.StatusTooManyRequests:
		return target.Throttled
	case c == 102 || c == 190 || c == 10 || c >= 200 && c <= 299:
		return target.Fatal
	case c == 100 && e.Subcode == 33 || c == 803 || status == http.StatusNotFound:
		return target.NotFound
	case status == http.StatusPreconditionFailed:
		return target.PreconditionFailed
	case c == 1 || c == 2 || c == 341 || c == 368 || e != nil && e.Transient || status >= 500:
		return target.Transient
	case status == http.StatusUnauthorized && c == 0:
		return target.Fatal
	}
	return target.Invalid
}

// codeText is Graph's code as results show it: "190", "100/33".
func codeText(e *graphError) string {
	if e == nil || e.Code == 0 {
		return ""
	}
	s := strconv.Itoa(e.Code)
	if e.Subcode != 0 {
		s += "/" + strconv.Itoa(e.Subcode)
	}
	return s
}
