package scim

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/workplace"
)

// MaxMembersPerRequest is the most member changes one PATCH carries: the
// limit services commonly set (Entra, Okta) and peers' users ask for.
const MaxMembersPerRequest = 100

// ListGroups reads every group with its members, paging like /Users.
func (c *Client) ListGroups(ctx context.Context) ([]workplace.Group, error) {
	var out []workplace.Group
	err := c.listResources(ctx, "/Groups", "group", func(res []map[string]any) error {
		for _, g := range res {
			grp := workplace.Group{ID: str(g, "id"), Name: str(g, "displayName")}
			if list, ok := get(g, "members").([]any); ok {
				for _, m := range list {
					if mm, ok := m.(map[string]any); ok {
						if v := str(mm, "value"); v != "" {
							grp.Members = append(grp.Members, v)
						}
					}
				}
			}
			out = append(out, grp)
		}
		return nil
	})
	return out, err
}

func members(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
	}
	return out
}

// CreateGroup makes an empty group; ChangeMembers fills it.
func (c *Client) CreateGroup(ctx context.Context, name string) (string, error) {
	body := map[string]any{"schemas": []string{CoreGroup}, "displayName": name, "members": []any{}}
	var g map[string]any
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/Groups", body: body}, &g); err != nil {
		return "", err
	}
	id := str(g, "id")
	if id == "" {
		return "", &workplace.TransportError{Method: "POST", Path: "/Groups", Err: errNoID}
	}
	return id, nil
}

// FindGroup finds a group by name (displayName, ignoring case), to resolve
// a create whose answer was lost; two are an error.
func (c *Client) FindGroup(ctx context.Context, name string) (string, error) {
	var lr listResponse
	q := url.Values{"filter": {"displayName eq " + filterValue(name)}}
	if _, err := c.do(ctx, request{method: "GET", path: "/Groups", query: q}, &lr); err != nil {
		return "", err
	}
	var ids []string
	for _, g := range lr.Resources {
		if strings.EqualFold(str(g, "displayName"), name) {
			ids = append(ids, str(g, "id"))
		}
	}
	switch len(ids) {
	case 0:
		return "", nil
	case 1:
		return ids[0], nil
	}
	return "", &workplace.APIError{SCIM: true, Method: "GET", Path: "/Groups", Code: 100,
		Message: "two groups are named " + strconv.Quote(name) + ": wpimport will not guess"}
}

// ChangeMembers adds and removes members of a group, at most
// MaxMembersPerRequest changes a PATCH. Adding a member already there and
// removing one already gone change nothing, so a retry is safe.
func (c *Client) ChangeMembers(ctx context.Context, groupID string, add, remove []string) error {
	path := "/Groups/" + url.PathEscape(groupID)
	send := func(ops []patchOp) error {
		body := map[string]any{"schemas": []string{PatchOp}, "Operations": ops}
		_, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: body}, nil)
		return err
	}
	for i := 0; i < len(add); i += MaxMembersPerRequest {
		part := add[i:min(i+MaxMembersPerRequest, len(add))]
		if err := send([]patchOp{{Op: "add", Path: "members", Value: members(part)}}); err != nil {
			return err
		}
	}
	for i := 0; i < len(remove); i += MaxMembersPerRequest {
		part := remove[i:min(i+MaxMembersPerRequest, len(remove))]
		ops := make([]patchOp, len(part))
		for j, id := range part {
			ops[j] = patchOp{Op: "remove", Path: "members[value eq " + filterValue(id) + "]"}
		}
		if err := send(ops); err != nil {
			return err
		}
	}
	return nil
}
