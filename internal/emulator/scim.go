package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// The SCIM 2.0 front end (RFC 7643, RFC 7644), under /scim/v2, over the
// same store as the Graph API. It runs each request through the same
// layers as Graph calls (token, rate limit, latency, faults, lost answers)
// with SCIM's answers, then one of the handlers; the profile (profiles.go)
// decides what each service allows and how it answers.

// SCIMPrefix is where the SCIM API is served.
const SCIMPrefix = "/scim/v2"

// SCIM limits the service advertises in /ServiceProviderConfig.
const (
	defaultFilterMax  = 200
	defaultBulkOps    = 1000
	defaultPayload    = 1 << 20
	defaultMembersMax = 100
)

func (s *Server) serveSCIM(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, SCIMPrefix), "/")
	route := scimRouteOf(r.Method, path)
	stat := "SCIM " + route
	if !s.authorized(r) {
		s.stats.count(stat, outcomeRejected)
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		s.writeSCIM(w, errOf(scimErr(http.StatusUnauthorized, "", "Authorization failed: give a valid bearer token")))
		return
	}
	if err := s.headersRefused(r); err != nil {
		s.stats.count(stat, outcomeRejected)
		s.writeSCIM(w, errOf(err))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(s.payloadMax()))
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeSCIM(w, errOf(scimErr(http.StatusRequestEntityTooLarge, "", "The request is larger than maxPayloadSize, %d bytes", s.payloadMax())))
		return
	}
	if err != nil {
		return
	}
	resp := s.scimCall(r.Context(), route, r.Method, path, r.URL.Query(), body, r.Header)
	if resp.drop {
		dropConn(w)
		return
	}
	s.writeSCIM(w, resp)
}

// headersRefused checks the headers a profile requires: a User-Agent
// (GitHub §3, Meta §12: 403 without), an Accept naming a media type
// (Zoom §5: 406).
func (s *Server) headersRefused(r *http.Request) *serr {
	if s.prof.userAgent && r.Header.Get("User-Agent") == "" {
		return scimErr(http.StatusForbidden, "", "A User-Agent header naming the client is required on every request")
	}
	if want := s.prof.accept; want != "" {
		for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == want {
				return nil
			}
		}
		return scimErr(http.StatusNotAcceptable, "", "Set the header Accept: %s on every request", want)
	}
	return nil
}

// scimRouteOf names a route for the stats and the throttles: ids become
// {id}, as in "GET /Users/{id}".
func scimRouteOf(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 1 && (parts[0] == "Users" || parts[0] == "Groups") && parts[1] != ".search" {
		parts[1] = "{id}"
	}
	return method + " /" + strings.Join(parts, "/")
}

// scimCall is call's SCIM twin: the profile's own limits, then the same
// layers with SCIM's answers (429, a SCIM 500), lost answers on every write.
func (s *Server) scimCall(ctx context.Context, route, method, path string, q map[string][]string, body []byte, h http.Header) response {
	stat := "SCIM " + route
	if resp, refused := s.profileThrottle(route, method); refused {
		s.stats.count(stat, outcomeThrottled)
		return resp
	}
	resp := s.layers(ctx, stat, layered{
		write:     method != http.MethodGet,
		throttled: func() response { return s.tooMany(0) },
		fault: func() response {
			return errOf(scimErr(http.StatusInternalServerError, "", "An unexpected error has occurred. Please retry your request later."))
		},
		handle: func() response { return s.scimRoute(method, path, q, body, h.Get("If-Match"), h.Get("If-None-Match")) },
	})
	s.served(route, resp)
	return resp
}

// errOf is the answer to an error; writeSCIM shapes its body.
func errOf(e *serr) response { return response{status: e.status, body: e.body(), err: e} }

func (s *Server) writeSCIM(w http.ResponseWriter, resp response) {
	if resp.err != nil {
		resp.body = s.errorBody(resp.err)
	}
	for k, v := range resp.headers {
		w.Header().Set(k, v)
	}
	for k, v := range s.rateHeaders() {
		w.Header().Set(k, v)
	}
	if resp.status == http.StatusNoContent || resp.status == http.StatusNotModified {
		w.WriteHeader(resp.status)
		return
	}
	ct := "application/scim+json; charset=UTF-8"
	if s.prof.errors == shapeGraph && resp.err != nil {
		ct = "application/json; charset=UTF-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(resp.status)
	json.NewEncoder(w).Encode(resp.body)
}

// dropConn closes the connection without an answer: the lost response.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) payloadMax() int {
	if s.cfg.SCIMMaxPayload > 0 {
		return s.cfg.SCIMMaxPayload
	}
	return defaultPayload
}

// scimRoute dispatches one SCIM request (or one Bulk operation). An
// endpoint the profile does not serve is a 404, as on the service.
func (s *Server) scimRoute(method, path string, q map[string][]string, body []byte, ifMatch, ifNoneMatch string) response {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	kind, id := parts[0], ""
	if len(parts) == 2 {
		id = parts[1]
	}
	notFound := errOf(scimErr(http.StatusNotFound, "", "No endpoint %s %s%s", method, SCIMPrefix, path))
	if len(parts) > 2 || !s.serves(kind, id) {
		return notFound
	}
	switch {
	case kind == "Users" && id == "" && method == http.MethodGet:
		return s.listUsers(q)
	case kind == "Users" && id == "" && method == http.MethodPost:
		return s.createUser(body)
	case id == ".search" && method == http.MethodPost:
		q, err := searchQuery(body)
		if err != nil {
			return errOf(err)
		}
		if kind == "Groups" {
			return s.listGroups(q)
		}
		return s.listUsers(q)
	case kind == "Users" && id != "":
		return s.userByID(method, id, body, ifMatch, ifNoneMatch)
	case kind == "Groups" && id == "" && method == http.MethodGet:
		return s.listGroups(q)
	case kind == "Groups" && id == "" && method == http.MethodPost:
		return s.createGroup(body)
	case kind == "Groups" && id != "":
		return s.groupByID(method, id, body, ifMatch, ifNoneMatch)
	case kind == "Bulk" && id == "" && method == http.MethodPost:
		return s.bulk(body)
	case method == http.MethodGet:
		return s.discovery(kind, id)
	}
	return notFound
}

// serves reports whether the profile has the endpoint kind[/id].
func (s *Server) serves(kind, id string) bool {
	p := s.prof
	switch kind {
	case "Users":
		return id != ".search" || p.search
	case "Groups":
		return !p.groups.none && (id != ".search" || p.search)
	case "Bulk":
		return p.bulk
	case "ServiceProviderConfig", "ServiceProviderConfigs":
		return kind == p.discovery.spc && id == ""
	case "Schemas", "ResourceTypes":
		return p.discovery.schemas
	case "Entitlements":
		return len(p.user.entitlements) > 0
	}
	return false
}

func (s *Server) base() string { return SCIMPrefix }

func decodeJSON(body []byte, into any) *serr {
	if len(body) == 0 {
		return badRequest("invalidSyntax", "The request has no JSON body")
	}
	if err := json.Unmarshal(body, into); err != nil {
		return badRequest("invalidSyntax", "The body is not valid JSON: %v", err)
	}
	return nil
}
