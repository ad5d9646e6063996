package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/roster"
)

type offboardOptions struct {
	targetOptions
	List            string
	Sheet           string
	Mapping         string
	Out             string
	DeleteUnclaimed bool
	Erase           bool
	MaxDeactivate   string
	Rate            float64
	XLSX            string
}

func parseOffboard(e *env, args []string) (*offboardOptions, error) {
	o := &offboardOptions{}
	fs := newFlagSet(e, "offboard", "LIST --out plan.json [--sheet NAME] [--mapping FILE] [--delete-unclaimed] [--erase] [--max-deactivate N|P%]",
		"wpimport offboard leavers.csv --delete-unclaimed --out offboard.json   # then: wpimport apply offboard.json")
	o.targetOptions.register(fs, e)
	fs.StringVar(&o.Sheet, "sheet", "", "worksheet of an xlsx list")
	fs.StringVar(&o.Mapping, "mapping", "", "csv (header,field) or yaml (header: field) mapping the list's headers to id, email or external_id")
	fs.StringVar(&o.Out, "out", "", "the plan file to write (.json), sealed with your key so that apply knows it is as made; its sign-off workbook is written beside it")
	fs.BoolVar(&o.DeleteUnclaimed, "delete-unclaimed", false, "delete accounts never claimed (claimed ones are deactivated and reported)")
	fs.BoolVar(&o.Erase, "erase", false, "erase the personal data of accounts deactivated at least 4 days ago (IRREVERSIBLE)")
	fs.StringVar(&o.MaxDeactivate, "max-deactivate", plan.DefaultMaxDeactivate, "refuse the plan if it deactivates or deletes more than N accounts or P% of active accounts")
	fs.Float64Var(&o.Rate, "rate", 20, "most API calls per second")
	arg, err := onePositional(fs, args, "list of accounts")
	if err != nil {
		return nil, err
	}
	o.List = arg
	if err := requireJSONOut(o.Out); err != nil {
		return nil, err
	}
	return o, nil
}

// requireKey accepts a list with an id, email or external_id column.
func requireKey(path string, h *roster.Header) error {
	if h.Has(roster.ID) || h.Has(roster.Email) || h.Has(roster.ExternalID) {
		return nil
	}
	return &parse.FileError{Path: path, Reason: "an offboarding list needs a column id (User Id), email or external_id (Employee ID); headers found: " +
		strings.Join(h.Headers(), ", ")}
}

func cmdOffboard(ctx context.Context, e *env, args []string) error {
	o, err := parseOffboard(e, args)
	if err != nil {
		return err
	}
	if o.XLSX, err = planOutputs(func(f *files) { f.reads(o.List) }, o.Out); err != nil {
		return err
	}
	st, err := openState(e)
	if err != nil {
		return err
	}
	var mapping map[string]roster.Field
	if o.Mapping != "" {
		if mapping, err = parse.LoadMapping(o.Mapping); err != nil {
			return usageErr("%v", err)
		}
	}
	// A list as admins have it: a header naming one key column, or no
	// header at all, one email or id a line.
	rd, err := parse.Open(o.List, parse.Options{Sheet: o.Sheet, Mapping: mapping, Require: requireKey, MinKnown: 1, Headerless: "id"})
	if err != nil {
		return err
	}
	cells := map[int][]string{} // the list's own columns, for the workbook
	in := plan.OffboardInput{Path: o.List, Sheet: rd.Sheet, ToolVersion: version, Header: rd.Header.Headers(), FileIssues: rd.FileIssues}
	for rd.Next() {
		row := rd.Row()
		id, _, _ := rd.Header.Value(&row.Record, roster.ID)
		ext, _, _ := rd.Header.Value(&row.Record, roster.ExternalID)
		email, _, _ := rd.Header.Value(&row.Record, roster.Email)
		in.Entries = append(in.Entries, plan.OffboardEntry{Row: row.Row, Key: plan.OffboardKeyOf(id, ext, email)})
		cells[row.Row] = row.Cells()
	}
	rd.Close()
	if err := rd.Err(); err != nil {
		return err
	}
	if in.SHA256, err = fileSHA256(o.List); err != nil {
		return err
	}
	tgt, _, err := o.open(e, o.Rate, pace.DefaultRetry)
	if err != nil {
		return err
	}
	defer tgt.Close()
	opts := plan.Options{DeleteUnclaimed: o.DeleteUnclaimed, Erase: o.Erase, MaxDeactivate: o.MaxDeactivate}
	p, err := plan.Offboard(ctx, in, tgt, opts)
	if err != nil {
		return o.apiFailure(err)
	}
	for _, r := range p.Rows {
		for _, is := range r.Issues {
			if is.Severity == roster.Warning {
				fmt.Fprintf(e.stderr, "%s: %s\n", o.List, is)
			}
		}
	}
	return savePlan(e, p, report.FromPlanCells(p, func(row int) []string { return cells[row] }), o.Out, o.XLSX, st.Key())
}
