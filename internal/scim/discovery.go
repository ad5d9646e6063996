package scim

import (
	"context"
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/workplace"
)

// The schemas wpimport writes.
const (
	CoreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
	CoreGroup  = "urn:ietf:params:scim:schemas:core:2.0:Group"
	Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	AuthMethod = "urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User"
	Status     = "urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User"
	Dates      = "urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User"
	PatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	BulkReq    = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	// SearchRequest is the body of POST /Users/.search.
	SearchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
)

// Caps is what the service supports, from discovery or, where it has none,
// the safe defaults (as for Meta's service: /Users only).
type Caps struct {
	Discovered     bool // /ServiceProviderConfig answered
	Patch          bool
	Bulk           bool
	BulkMaxOps     int
	BulkMaxPayload int
	Filter         bool
	FilterMax      int
	Sort           bool
	ETag           bool
	Groups         bool     // /ResourceTypes lists Group
	Extensions     []string // User schema extensions the service knows
	AuthSchemes    []string
}

// Knows reports whether the service takes the extension urn.
func (c *Caps) Knows(urn string) bool {
	for _, e := range c.Extensions {
		if strings.EqualFold(e, urn) {
			return true
		}
	}
	return false
}

// defaultCaps are assumed of a service without discovery: PATCH (Meta's
// service takes it, as Entra provisions it), filters on userName, no
// versions, no Bulk, no Groups, and the extensions Meta documents.
func defaultCaps() *Caps {
	return &Caps{Patch: true, Filter: true, Extensions: []string{Enterprise, AuthMethod, Status, Dates}}
}

// Discover reads /ServiceProviderConfig and /ResourceTypes once; a service
// that has neither (404) gets the defaults. Errors other than 404 (a bad
// token, no answer) are returned.
func (c *Client) Discover(ctx context.Context) (*Caps, error) {
	c.mu.Lock()
	if c.caps != nil {
		defer c.mu.Unlock()
		return c.caps, nil
	}
	c.mu.Unlock()
	caps := defaultCaps()
	var spc struct {
		Patch struct{ Supported bool } `json:"patch"`
		Bulk  struct {
			Supported      bool
			MaxOperations  int `json:"maxOperations"`
			MaxPayloadSize int `json:"maxPayloadSize"`
		} `json:"bulk"`
		Filter struct {
			Supported  bool
			MaxResults int `json:"maxResults"`
		} `json:"filter"`
		Sort                  struct{ Supported bool } `json:"sort"`
		Etag                  struct{ Supported bool } `json:"etag"`
		AuthenticationSchemes []struct {
			Type string `json:"type"`
		} `json:"authenticationSchemes"`
	}
	_, err := c.do(ctx, request{method: "GET", path: "/ServiceProviderConfig"}, &spc)
	switch {
	case err == nil:
		caps.Discovered = true
		caps.Patch, caps.Bulk, caps.Filter, caps.Sort, caps.ETag = spc.Patch.Supported, spc.Bulk.Supported, spc.Filter.Supported, spc.Sort.Supported, spc.Etag.Supported
		caps.BulkMaxOps, caps.BulkMaxPayload, caps.FilterMax = spc.Bulk.MaxOperations, spc.Bulk.MaxPayloadSize, spc.Filter.MaxResults
		for _, a := range spc.AuthenticationSchemes {
			caps.AuthSchemes = append(caps.AuthSchemes, a.Type)
		}
	case !workplace.IsNotFound(err):
		return nil, err
	}
	var rts struct {
		Resources []struct {
			Name             string `json:"name"`
			Schema           string `json:"schema"`
			SchemaExtensions []struct {
				Schema string `json:"schema"`
			} `json:"schemaExtensions"`
		} `json:"Resources"`
	}
	_, err = c.do(ctx, request{method: "GET", path: "/ResourceTypes"}, &rts)
	switch {
	case err == nil:
		caps.Extensions = nil
		for _, rt := range rts.Resources {
			switch {
			case strings.EqualFold(rt.Schema, CoreGroup) || rt.Name == "Group":
				caps.Groups = true
			case strings.EqualFold(rt.Schema, CoreUser) || rt.Name == "User":
				for _, x := range rt.SchemaExtensions {
					caps.Extensions = append(caps.Extensions, x.Schema)
				}
			}
		}
	case !workplace.IsNotFound(err):
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.caps = caps
	return caps, nil
}

// NeverCarried lists the roster fields no SCIM service is sent, whatever
// it supports: frontline status and picture files (SCIM has neither), and
// start_date and location (this client sends neither, as for Graph).
// validate names them offline; Caps.Uncarried starts from them.
func NeverCarried() []string {
	return []string{"is_frontline", "has_access", "picture_file", "start_date", "location"}
}

// Uncarried lists the roster fields this service cannot carry, so that a
// plan reports them once and sends them nowhere: those of NeverCarried,
// and the fields of extensions the service does not know.
func (c *Caps) Uncarried() []string {
	out := NeverCarried()
	if !c.Knows(Enterprise) {
		out = append(out, "department", "division", "organization", "cost_center", "manager")
	}
	if !c.Knows(AuthMethod) {
		out = append(out, "auth_method")
	}
	if !c.Groups {
		out = append(out, "groups")
	}
	return out
}

// Probe is what one small listing says of the service.
type Probe struct {
	Total        int               // totalResults of /Users
	ItemsPerPage string            // as the service wrote it
	PageHonoured bool              // it returned at most the count asked for, from the startIndex asked
	RateHeaders  map[string]string // Retry-After, RateLimit-*, X-RateLimit-*, if sent
}

// Probe lists one User (startIndex=1, count=1), writing nothing.
func (c *Client) Probe(ctx context.Context) (*Probe, error) {
	var lr listResponse
	q := map[string][]string{"startIndex": {"1"}, "count": {"1"}}
	ans, err := c.do(ctx, request{method: "GET", path: "/Users", query: q}, &lr)
	if err != nil {
		return nil, err
	}
	p := &Probe{ItemsPerPage: fmtAny(lr.ItemsPerPage), PageHonoured: !ignoredPaging(lr, 1, 1), RateHeaders: map[string]string{}}
	if lr.TotalResults != nil {
		p.Total = *lr.TotalResults
	} else {
		p.Total = -1
	}
	for k, v := range ans.header {
		l := strings.ToLower(k)
		if l == "retry-after" || strings.HasPrefix(l, "ratelimit") || strings.HasPrefix(l, "x-ratelimit") || strings.HasPrefix(l, "x-rate-limit") {
			p.RateHeaders[k] = strings.Join(v, ", ")
		}
	}
	return p, nil
}

func fmtAny(v any) string {
	switch t := v.(type) {
	case nil:
		return "(none)"
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case string:
		return strconv.Quote(t)
	}
	return "?"
}
