package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
)

// SCIM message schemas (RFC 7644).
const (
	scimErrorURN    = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimListURN     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimPatchURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scimBulkReqURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	scimBulkRespURN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	scimSearchURN   = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
)

// serr is a SCIM error (RFC 7644 §3.12): an HTTP status, an optional
// scimType and a detail for people.
type serr struct {
	status   int
	scimType string
	detail   string
}

func (e *serr) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.scimType, e.detail) }

func (e *serr) body() map[string]any {
	b := map[string]any{"schemas": []string{scimErrorURN}, "status": strconv.Itoa(e.status), "detail": e.detail}
	if e.scimType != "" {
		b["scimType"] = e.scimType
	}
	return b
}

func scimErr(status int, scimType, format string, args ...any) *serr {
	return &serr{status: status, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

func badRequest(scimType, format string, args ...any) *serr {
	return scimErr(http.StatusBadRequest, scimType, format, args...)
}

// fromStore turns a rule the store enforces into the SCIM error a service
// answers for it.
func fromStore(g *gerr) *serr {
	if g == nil {
		return nil
	}
	detail := g.Message
	if len(detail) > 7 && detail[:7] == "(#100) " {
		detail = detail[7:]
	}
	switch g.Subcode {
	case SubNotFound:
		return scimErr(http.StatusNotFound, "", "Resource not found")
	case SubDuplicate:
		return scimErr(http.StatusConflict, "uniqueness", "%s", detail)
	case SubClaimed:
		return scimErr(http.StatusConflict, "mutability", "%s", detail)
	}
	return badRequest("invalidValue", "%s", detail)
}

func scimNotFound(kind, id string) *serr {
	return scimErr(http.StatusNotFound, "", "%s %s not found", kind, id)
}

// errorBody is e in the profile's shape (SCIM-DIALECTS.md §15.8).
func (s *Server) errorBody(e *serr) any {
	switch s.prof.errors {
	case shapeAWS: // §1: "schema" (sic) beside "schemas", a string status, a request id and a time
		b := e.body()
		b["schema"] = scimErrorURN
		b["exceptionRequestId"] = requestID()
		b["timeStamp"] = s.cfg.Now().UTC().Format("2006-01-02 15:04:05.000")
		return b
	case shapeSlack: // §2: Slack's own {"Errors": {"description", "code"}}
		return map[string]any{"Errors": map[string]any{"description": e.detail, "code": e.status}}
	case shapeZoom: // §5, §15.8: RFC 7644 §3.12 with a numeric status
		b := e.body()
		b["status"] = e.status
		return b
	case shapeGraph: // §12: Graph's {"error": {…}}
		return errResponse(graphOf(e)).body
	}
	return e.body()
}

// graphOf is e as Graph states it: the code a Graph client acts on for
// the HTTP status, and the SCIM detail as the message.
func graphOf(e *serr) *gerr {
	g := &gerr{status: e.status, Type: "OAuthException", Code: 100, Message: "(#100) " + e.detail}
	switch {
	case e.status == http.StatusUnauthorized:
		g = badToken()
	case e.status == http.StatusForbidden:
		g.Code, g.Message = 10, "(#10) "+e.detail
	case e.status == http.StatusNotFound:
		g.Type, g.Subcode, g.Message = "GraphMethodException", SubNotFound, e.detail
	case e.status == http.StatusConflict:
		g.Subcode = SubDuplicate
	case e.status == http.StatusTooManyRequests:
		g.Code, g.Transient, g.Message = 4, true, "(#4) "+e.detail
	case e.status >= 500:
		g.Code, g.Transient, g.Message = 2, true, e.detail
	}
	return g
}

var requestSeq atomic.Int64

// requestID is a request id in the form of a UUID, distinct per answer.
func requestID() string {
	n := requestSeq.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8000-%012x", n*2654435761&0xffffffff, n&0xffff, n&0xfff, n)
}
