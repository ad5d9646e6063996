package scim

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/wpimport/wpimport/internal/target"
)

// Static groups (/Groups), where /ResourceTypes lists Group.

func groupPath(id string) string { return "/Groups/" + url.PathEscape(id) }

// groupOf reads a SCIM Group.
func groupOf(g map[string]any) target.Group {
	grp := target.Group{ID: str(g, "id"), Name: str(g, "displayName"), MembersKnown: true}
	if meta, ok := get(g, "meta").(map[string]any); ok {
		grp.Version = str(meta, "version")
	}
	if list, ok := get(g, "members").([]any); ok {
		for _, m := range list {
			if mm, ok := m.(map[string]any); ok {
				if v := str(mm, "value"); v != "" {
					grp.Members = append(grp.Members, v)
				}
			}
		}
	}
	return grp
}

// ListGroups reads every group with its members, paging like /Users.
// Where the service answers groups without their members (AWS §1), a
// group's members are not known (MembersKnown false): nothing may be
// removed on the strength of them.
func (c *Client) ListGroups(ctx context.Context) ([]target.Group, error) {
	_, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	var out []target.Group
	err = c.listResources(ctx, "/Groups", "group", func(res []map[string]any) error {
		for _, g := range res {
			grp := groupOf(g)
			grp.MembersKnown = !w.membersHidden
			out = append(out, grp)
		}
		return nil
	})
	return out, err
}

// FindGroup finds a group by name (displayName, ignoring case), to
// resolve a create whose answer was lost; none is nil, two are an error.
func (c *Client) FindGroup(ctx context.Context, name string) (*target.Group, error) {
	var lr listResponse
	q := url.Values{"filter": {"displayName eq " + filterValue(name)}}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/Groups", query: q, idempotent: true}, &lr); err != nil {
		return nil, err
	}
	_, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	var hits []target.Group
	for _, g := range lr.Resources {
		if strings.EqualFold(str(g, "displayName"), name) {
			grp := groupOf(g)
			grp.MembersKnown = !w.membersHidden
			hits = append(hits, grp)
		}
	}
	if len(hits) == 0 {
		// displayName is matched ignoring case (RFC 7643 §4.2), but some
		// servers match it exactly (SCIMMY): a miss is confirmed from the
		// listing. Only lost answers and checks come here, seldom.
		all, err := c.ListGroups(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range all {
			if strings.EqualFold(g.Name, name) {
				hits = append(hits, g)
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, nil
	case 1:
		return &hits[0], nil
	}
	return nil, &target.Error{Kind: target.Invalid, Target: Name, Method: http.MethodGet, Path: "/Groups",
		Message: fmt.Sprintf("%d groups are named %q (ids %s and %s): wpimport will not guess which one is meant", len(hits), name, hits[0].ID, hits[1].ID)}
}

// CreateGroup makes an empty group; ChangeMembers fills it. Not safe to
// repeat: after an unknown outcome the caller finds the group first.
func (c *Client) CreateGroup(ctx context.Context, name string) (target.Ref, error) {
	body := map[string]any{"schemas": []string{CoreGroup}, "displayName": name, "members": []any{}}
	var g map[string]any
	ans, err := c.do(ctx, request{method: http.MethodPost, path: "/Groups", body: body}, &g)
	if err != nil {
		return target.Ref{}, err
	}
	grp := groupOf(g)
	grp.ID = cmp.Or(grp.ID, idFromLocation(ans.header.Get("Location")))
	if grp.ID == "" {
		return target.Ref{}, &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: http.MethodPost, Path: "/Groups",
			Status: ans.status, Message: "the service answered the create without an id"}
	}
	return target.Ref{ID: grp.ID, Version: cmp.Or(grp.Version, ans.header.Get("ETag"))}, nil
}

// ChangeMembers adds and removes members of a group, at most
// MaxMembersPerRequest changes a PATCH; a removal names its member by a
// value filter (RFC 7644 §3.5.2.2), or, where the service takes no
// value-filter paths (GitHub §3), by a value list in one remove of
// members. Adding a member already there and removing one already gone
// change nothing, so each PATCH is safe to repeat.
func (c *Client) ChangeMembers(ctx context.Context, g target.Ref, add, remove []string) error {
	_, w, err := c.state(ctx)
	if err != nil {
		return err
	}
	path := groupPath(g.ID)
	send := func(ops []patchOp) error {
		body := map[string]any{"schemas": []string{PatchOp}, "Operations": ops}
		_, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: body, idempotent: true}, nil)
		return err
	}
	for i := 0; i < len(add); i += MaxMembersPerRequest {
		part := add[i:min(i+MaxMembersPerRequest, len(add))]
		value := make([]any, len(part))
		for j, id := range part {
			value[j] = map[string]any{"value": id}
		}
		if err := send([]patchOp{{Op: "add", Path: "members", Value: value}}); err != nil {
			return err
		}
	}
	for i := 0; i < len(remove); i += MaxMembersPerRequest {
		part := remove[i:min(i+MaxMembersPerRequest, len(remove))]
		ops := make([]patchOp, len(part))
		for j, id := range part {
			ops[j] = patchOp{Op: "remove", Path: "members[value eq " + filterValue(id) + "]"}
		}
		if !w.valueFilter {
			value := make([]any, len(part))
			for j, id := range part {
				value[j] = map[string]any{"value": id}
			}
			ops = []patchOp{{Op: "remove", Path: "members", Value: value}}
		}
		if err := send(ops); err != nil {
			return err
		}
	}
	return nil
}

// DeleteGroup deletes a group.
func (c *Client) DeleteGroup(ctx context.Context, g target.Ref) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: groupPath(g.ID)}, nil)
	return err
}
