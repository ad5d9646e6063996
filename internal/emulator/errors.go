package emulator

import (
	"fmt"
	"net/http"
)

// gerr is a Graph-shaped error.
type gerr struct {
	status    int
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	Transient bool   `json:"is_transient"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	TraceID   string `json:"fbtrace_id"`
}

func (e *gerr) Error() string { return fmt.Sprintf("(#%d) %s", e.Code, e.Message) }

// Subcodes the emulator uses for its rule violations. The real service's
// subcodes for these are not documented; the client decides on code 100.
const (
	SubNotFound       = 33
	SubDuplicate      = 1_600_001
	SubNameRequired   = 1_600_002
	SubEmailRequired  = 1_600_003
	SubManager        = 1_600_004
	SubClaimed        = 1_600_005
	SubGracePeriod    = 1_600_006
	SubPeopleSet      = 1_600_007
	SubInvalidValue   = 1_600_008
	SubNotDeactivated = 1_600_009
)

func invalidParam(sub int, format string, args ...any) *gerr {
	return &gerr{status: http.StatusBadRequest, Type: "OAuthException", Code: 100, Subcode: sub,
		Message: "(#100) " + fmt.Sprintf(format, args...)}
}

func notFound(id string) *gerr {
	return &gerr{status: http.StatusBadRequest, Type: "GraphMethodException", Code: 100, Subcode: SubNotFound,
		Message: fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation", id)}
}

func badToken() *gerr {
	return &gerr{status: http.StatusUnauthorized, Type: "OAuthException", Code: 190, Subcode: 463,
		Message: "Invalid OAuth access token - Cannot parse access token"}
}

func throttled() *gerr {
	return &gerr{status: http.StatusForbidden, Type: "OAuthException", Code: 4, Transient: true,
		Message: "(#4) Application request limit reached"}
}

func serverFault() *gerr {
	return &gerr{status: http.StatusInternalServerError, Type: "OAuthException", Code: 2, Transient: true,
		Message: "An unexpected error has occurred. Please retry your request later."}
}

func unsupported(method, path string) *gerr {
	return &gerr{status: http.StatusBadRequest, Type: "GraphMethodException", Code: 100,
		Message: fmt.Sprintf("Unsupported %s request to %s", method, path)}
}
