package graph

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/wpimport/wpimport/internal/target"
)

func setForm(name string, conds []target.Condition) url.Values {
	b, _ := json.Marshal(conds)
	return url.Values{"name": {name}, "conditions": {string(b)}}
}

// CreatePeopleSet creates a set and returns its id. Not idempotent: after
// an unknown outcome the caller finds the set by name first.
func (c *Client) CreatePeopleSet(ctx context.Context, name string, conds []target.Condition) (target.Ref, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, request{method: "POST", path: "/community/people_sets", form: setForm(name, conds)}, &out)
	if err == nil && out.ID == "" {
		err = &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: "POST", Path: "/community/people_sets", Message: "the answer holds no id"}
	}
	return target.Ref{ID: out.ID}, err
}

// UpdatePeopleSet replaces a set's name and conditions.
func (c *Client) UpdatePeopleSet(ctx context.Context, r target.Ref, name string, conds []target.Condition) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(r.ID), form: setForm(name, conds), idempotent: true}, nil)
}

// DeletePeopleSet deletes a set.
func (c *Client) DeletePeopleSet(ctx context.Context, r target.Ref) error {
	return c.do(ctx, request{method: "DELETE", path: "/" + url.PathEscape(r.ID)}, nil)
}

// FindPeopleSet returns the set with exactly this name, or nil.
func (c *Client) FindPeopleSet(ctx context.Context, name string) (*target.PeopleSet, error) {
	sets, err := c.listSets(ctx, url.Values{"name": {name}, "fields": {"name,conditions"}})
	if err != nil {
		return nil, err
	}
	for i := range sets {
		if sets[i].Name == name {
			return &sets[i], nil
		}
	}
	return nil, nil
}

// ListPeopleSets returns every set.
func (c *Client) ListPeopleSets(ctx context.Context) ([]target.PeopleSet, error) {
	return c.listSets(ctx, url.Values{"fields": {"name,conditions"}})
}

func (c *Client) listSets(ctx context.Context, q url.Values) ([]target.PeopleSet, error) {
	var out struct {
		Data []target.PeopleSet `json:"data"`
	}
	err := c.do(ctx, request{method: "GET", path: "/community/people_sets", query: q, idempotent: true}, &out)
	return out.Data, err
}
