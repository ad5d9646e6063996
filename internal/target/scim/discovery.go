package scim

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/target"
)

// Discovery is what the service says it supports (RFC 7644 §4) or, where
// it says nothing, the safe defaults.
type Discovery struct {
	Discovered     bool // /ServiceProviderConfig (or …Configs) answered
	TypesListed    bool // /ResourceTypes answered
	Patch          bool
	Bulk           bool
	BulkMaxOps     int
	BulkMaxPayload int
	Filter         bool
	FilterMax      int
	Sort           bool
	ETag           bool
	Cursor         bool     // RFC 9865: pagination.cursor
	Groups         bool     // /ResourceTypes lists Group (or, without it, GET /Groups answered)
	Extensions     []string // User schema extensions the service lists
	AuthSchemes    []string
}

// Knows reports whether the service lists the User extension urn.
func (d *Discovery) Knows(urn string) bool {
	for _, e := range d.Extensions {
		if strings.EqualFold(e, urn) {
			return true
		}
	}
	return false
}

// flagOf reads a boolean as services write it: true, 1, "true", "1"
// (Snowflake wrote filter.supported as the integer 0).
func flagOf(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case float64:
		return t != 0
	case string:
		b, _ := strconv.ParseBool(strings.ToLower(strings.TrimSpace(t)))
		return b
	}
	return false
}

// countOf reads a number as services write it: 200 or "200".
func countOf(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(t))
		return n
	}
	return 0
}

// Discover reads /ServiceProviderConfig (or /ServiceProviderConfigs, as
// Salesforce and Slack's v1 name it: asked first where the dialect says)
// and /ResourceTypes, once, and makes the capabilities of them with the
// dialect. A service that has neither (404) says nothing: its dialect
// decides; without /ResourceTypes, where the dialect does not say,
// whether it has groups is asked by a one-item GET /Groups. Any other
// error (a refused token, no answer) is returned, and asked again next
// time.
func (c *Client) Discover(ctx context.Context) (*Discovery, error) {
	c.discMu.Lock()
	defer c.discMu.Unlock()
	if c.disc != nil {
		return c.disc, nil
	}
	d := &Discovery{Patch: true}
	var spc map[string]any
	paths := []string{"/ServiceProviderConfig", "/ServiceProviderConfigs"}
	if c.dialect.spc == "ServiceProviderConfigs" {
		paths[0], paths[1] = paths[1], paths[0]
	}
	err := c.get(ctx, paths[0], &spc)
	if target.IsNotFound(err) {
		err = c.get(ctx, paths[1], &spc)
	}
	feature := func(name string) map[string]any {
		m, _ := get(spc, name).(map[string]any)
		return m
	}
	switch {
	case err == nil:
		d.Discovered = true
		d.Patch = flagOf(get(feature("patch"), "supported"))
		d.Bulk = flagOf(get(feature("bulk"), "supported"))
		d.Filter = flagOf(get(feature("filter"), "supported"))
		d.Sort = flagOf(get(feature("sort"), "supported"))
		d.ETag = flagOf(get(feature("etag"), "supported"))
		d.Cursor = flagOf(get(feature("pagination"), "cursor"))
		d.BulkMaxOps = countOf(get(feature("bulk"), "maxOperations"))
		d.BulkMaxPayload = countOf(get(feature("bulk"), "maxPayloadSize"))
		d.FilterMax = countOf(get(feature("filter"), "maxResults"))
		list, _ := get(spc, "authenticationSchemes").([]any)
		for _, a := range list {
			if m, ok := a.(map[string]any); ok {
				d.AuthSchemes = append(d.AuthSchemes, str(m, "type"))
			}
		}
	case !target.IsNotFound(err):
		return nil, err
	}
	var rts any
	err = c.get(ctx, "/ResourceTypes", &rts)
	switch {
	case err == nil:
		d.TypesListed = true
		list, _ := rts.([]any) // a bare array, as some services answer
		if m, ok := rts.(map[string]any); ok {
			list, _ = get(m, "Resources").([]any)
		}
		for _, x := range list {
			rt, _ := x.(map[string]any)
			switch schema, name := str(rt, "schema"), str(rt, "name"); {
			case strings.EqualFold(schema, CoreGroup) || strings.EqualFold(name, "Group"):
				d.Groups = true
			case strings.EqualFold(schema, CoreUser) || strings.EqualFold(name, "User"):
				exts, _ := get(rt, "schemaExtensions").([]any)
				for _, e := range exts {
					if em, ok := e.(map[string]any); ok && str(em, "schema") != "" {
						d.Extensions = append(d.Extensions, str(em, "schema"))
					}
				}
			}
		}
	case !target.IsNotFound(err):
		return nil, err
	case c.dialect.groups == groupsAsFound:
		// No /ResourceTypes: a one-item GET says whether /Groups is there.
		var lr listResponse
		q := url.Values{"count": {"1"}}
		_, err := c.do(ctx, request{method: "GET", path: "/Groups", query: q, idempotent: true}, &lr)
		te := target.As(err)
		if err != nil && (te == nil || te.Kind != target.NotFound && te.Kind != target.Invalid) {
			return nil, err
		}
		d.Groups = err == nil
	}
	c.disc = d
	c.caps, c.wire = capabilitiesOf(c.dialect, d, c.base.Host)
	c.caps.SetOrigin("dialect", c.dialectFrom)
	return d, nil
}

// get reads one resource (a read: safe to repeat).
func (c *Client) get(ctx context.Context, path string, out any) error {
	_, err := c.do(ctx, request{method: "GET", path: path, idempotent: true}, out)
	return err
}
