package execute

import (
	"context"
	"errors"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// Run applies the plan's changes through t, whose every call goes through
// layer. ctx is the stop signal: when it is done no new change starts,
// calls in flight finish, and the rest stay not_attempted.
func Run(ctx context.Context, t target.Target, layer *pace.Layer, p *plan.Plan, opts Options) (*Result, error) {
	return nil, errors.New("not yet")
}
