package workplace

import (
	"context"
	"encoding/json"
	"net/url"
)

// Condition is one rule of a dynamic people set.
type Condition struct {
	Field    string   `json:"field"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// PeopleSet is a dynamic people set.
type PeopleSet struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
}

func setForm(name string, conds []Condition) url.Values {
	b, _ := json.Marshal(conds)
	return url.Values{"name": {name}, "conditions": {string(b)}}
}

// CreatePeopleSet creates a set and returns its id.
func (c *Client) CreatePeopleSet(ctx context.Context, name string, conds []Condition) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, request{method: "POST", path: "/community/people_sets", form: setForm(name, conds)}, &out)
	return out.ID, err
}

// UpdatePeopleSet replaces a set's name and conditions.
func (c *Client) UpdatePeopleSet(ctx context.Context, id, name string, conds []Condition) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id), form: setForm(name, conds)}, nil)
}

// DeletePeopleSet deletes a set.
func (c *Client) DeletePeopleSet(ctx context.Context, id string) error {
	return c.do(ctx, request{method: "DELETE", path: "/" + url.PathEscape(id)}, nil)
}

// GetPeopleSet reads one set.
func (c *Client) GetPeopleSet(ctx context.Context, id string) (*PeopleSet, error) {
	var ps PeopleSet
	q := url.Values{"fields": {"name,conditions"}}
	if err := c.do(ctx, request{method: "GET", path: "/" + url.PathEscape(id), query: q}, &ps); err != nil {
		return nil, err
	}
	return &ps, nil
}

// FindPeopleSet returns the set with exactly this name, or nil.
func (c *Client) FindPeopleSet(ctx context.Context, name string) (*PeopleSet, error) {
	sets, err := c.listSets(ctx, url.Values{"name": {name}, "fields": {"name,conditions"}})
	if err != nil || len(sets) == 0 {
		return nil, err
	}
	return &sets[0], nil
}

// ListPeopleSets returns every set.
func (c *Client) ListPeopleSets(ctx context.Context) ([]PeopleSet, error) {
	return c.listSets(ctx, url.Values{"fields": {"name,conditions"}})
}

func (c *Client) listSets(ctx context.Context, q url.Values) ([]PeopleSet, error) {
	var out struct {
		Data []PeopleSet `json:"data"`
	}
	err := c.do(ctx, request{method: "GET", path: "/community/people_sets", query: q}, &out)
	return out.Data, err
}

// Group is a static group of a SCIM service: a name and its members'
// account ids. Graph has none (its people sets are dynamic).
type Group struct {
	ID      string
	Name    string
	Members []string
}
