package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/undo"
)

type undoOptions struct {
	targetOptions
	Results             string
	Out                 string
	XLSX                string
	DeleteCreated       bool
	MaxDeactivate       string
	MaxDeletePeopleSets string
	MaxGroupRemovals    string
	Rate                float64
}

func parseUndo(e *env, args []string) (*undoOptions, error) {
	o := &undoOptions{}
	fs := newFlagSet(e, "undo", "RESULTS --out undo.json [--delete-created] [--max-deactivate N|P%]",
		"wpimport undo results.xlsx --out undo.json     # writes undo.json and undo.xlsx, to sign off\n"+
			"wpimport apply undo.json --approved sha256:…   # the digest the sign-off names")
	o.targetOptions.register(fs, e)
	fs.StringVar(&o.Out, "out", "", "the undo plan to write (.json); its sign-off workbook is written beside it")
	fs.BoolVar(&o.DeleteCreated, "delete-created", false, "delete, rather than deactivate, the accounts the import created that were never claimed (where the target can delete), and the groups it created")
	fs.StringVar(&o.MaxDeactivate, "max-deactivate", plan.DefaultMaxDeactivate, "refuse the undo plan if it deactivates or deletes more than N accounts or P% of active accounts (undoing N creates deactivates N)")
	fs.StringVar(&o.MaxDeletePeopleSets, "max-delete-people-sets", plan.DefaultMaxDeactivate, "refuse the undo plan if it deletes more people sets than this (count or %)")
	fs.StringVar(&o.MaxGroupRemovals, "max-group-removals", plan.DefaultMaxGroupRemovals, "refuse the undo plan if it removes more group members than this (count or %)")
	fs.Float64Var(&o.Rate, "rate", 20, "most API calls per second")
	arg, err := onePositional(fs, args, "results file (.json or .xlsx, as apply wrote it)")
	if err != nil {
		return nil, err
	}
	o.Results = arg
	if err := requireJSONOut(o.Out); err != nil {
		return nil, err
	}
	return o, nil
}

// cmdUndo plans the taking back of an import from its results: a plan
// like any, sealed, with its sign-off workbook and digest, which apply
// runs.
func cmdUndo(ctx context.Context, e *env, args []string) error {
	o, err := parseUndo(e, args)
	if err != nil {
		return err
	}
	if o.XLSX, err = planOutputs(func(f *files) { f.reads(o.Results) }, o.Out); err != nil {
		return err
	}
	r, err := report.ReadResults(o.Results)
	if err != nil {
		return usageErr("%v", err)
	}
	// The target the results were applied to, unless said otherwise.
	if !flagGiven(args, "api") {
		o.API = r.Info.API
	}
	if !flagGiven(args, "api-url") && e.getenv("WPIMPORT_API_URL") == "" {
		o.APIURL = r.Info.APIURL
	}
	if o.Dialect == "" {
		o.Dialect = r.Info.Target.Dialect
	}
	st, err := openState(e)
	if err != nil {
		return err
	}
	sum, err := fileSHA256(o.Results)
	if err != nil {
		return err
	}
	tgt, _, err := o.open(e, o.Rate, pace.DefaultRetry)
	if err != nil {
		return err
	}
	defer tgt.Close()
	if strings.TrimRight(tgt.URL(), "/") != strings.TrimRight(r.Info.APIURL, "/") {
		return refused("%s records an apply to %s, not %s: undo it there (--api-url %s)", o.Results, r.Info.APIURL, tgt.URL(), r.Info.APIURL)
	}
	fmt.Fprintf(e.stderr, "%s: the results of %s (%s), %s. Reading %s at %s…\n", o.Results, r.Info.PlanPath, r.Info.Digest,
		plural(len(r.Changes), "change", "changes"), o.service(), tgt.URL())
	p, err := undo.Build(ctx, undo.Input{Results: r, Path: o.Results, SHA256: sum, ToolVersion: version}, tgt,
		undo.Options{DeleteCreated: o.DeleteCreated, MaxDeactivate: o.MaxDeactivate, MaxDeletePeopleSets: o.MaxDeletePeopleSets, MaxGroupRemovals: o.MaxGroupRemovals})
	if err != nil {
		return o.apiFailure(err)
	}
	res := rosterFor(ctx, e, p)
	return savePlan(e, p, report.FromPlan(p, res), o.Out, o.XLSX, st.Key())
}

// flagGiven reports whether args set the option name.
func flagGiven(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}
