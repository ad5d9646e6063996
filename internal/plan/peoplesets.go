package plan

import (
	"context"
	"fmt"
)

// SetInput is the people sets a roster asks for (filled in by package
// peoplesets' reader).
type SetInput struct {
	Sets []DesiredSet
}

// DesiredSet is one set as the input describes it.
type DesiredSet struct {
	Name       string
	Rows       []int
	Delete     bool
	Conditions []DesiredCondition
}

// DesiredCondition is one condition; for MANAGER fields the values are
// people references.
type DesiredCondition struct {
	Field    string
	Operator string
	Values   []string
}

// ManagerRefs lists the people references of every set.
func (s *SetInput) ManagerRefs() []string {
	var out []string
	for _, ds := range s.Sets {
		for _, c := range ds.Conditions {
			if c.Field == "MANAGER" || c.Field == "MANAGER_RECURSIVE" {
				out = append(out, c.Values...)
			}
		}
	}
	return out
}

// SetOp is one change to a people set.
type SetOp struct {
	Name   string `json:"name"`
	Action Action `json:"action"`
}

func (b *builder) planPeopleSets(ctx context.Context, dir Directory, in *SetInput) error {
	return fmt.Errorf("people sets are not supported yet")
}
