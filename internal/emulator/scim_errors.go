package emulator

import (
	"fmt"
	"net/http"
	"strconv"
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
