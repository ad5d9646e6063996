package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// inputOptions are the flags every command that reads a roster shares.
type inputOptions struct {
	Roster  string
	Sheet   string
	Mapping string
}

func (o *inputOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Sheet, "sheet", "", "worksheet to read (default: the first visible sheet)")
	fs.StringVar(&o.Mapping, "mapping", "", "csv (header,field) or yaml (header: field) mapping extra headers to fields (field ignore: a column not to import)")
}

type validateOptions struct {
	inputOptions
	Out        string
	PeopleSets string
	API        string
}

func parseValidate(e *env, args []string) (*validateOptions, error) {
	o := &validateOptions{}
	fs := newFlagSet(e, "validate", "ROSTER [--sheet NAME] [--mapping FILE] [--people-sets FILE] [--api graph|scim] [--out FILE]",
		"wpimport validate roster.xlsx --out validation.xlsx")
	o.register(fs)
	fs.StringVar(&o.Out, "out", "", "write a report with one entry per row (.xlsx, .csv or .json)")
	fs.StringVar(&o.PeopleSets, "people-sets", "", "csv of people sets to check too (default: the workbook's \"People Sets\" sheet, if any)")
	fs.StringVar(&o.API, "api", defaultAPI(e), "the target the roster is for (env WPIMPORT_API): name the columns it cannot carry (offline; plan asks the service itself)")
	arg, err := onePositional(fs, args, "roster file")
	if err != nil {
		return nil, err
	}
	o.Roster = arg
	if o.Out != "" {
		if err := report.CheckPath(o.Out); err != nil {
			return nil, usageErr("--out %v", err)
		}
	}
	if err := checkAPI(o.API); err != nil {
		return nil, err
	}
	return o, nil
}

// notCarried adds a file warning for each column with values that no
// service of the target can carry, known without asking it (plan and
// check ask the service itself).
func notCarried(res *validate.Result, sets *validate.PeopleSets, api string) {
	reg, _ := target.Lookup(api)
	for _, f := range reg.NeverCarried {
		if !res.Header.Has(f) {
			continue
		}
		n := 0
		for i := range res.Rows {
			if v := res.Value(i, f); v != "" && v != "false" {
				n++
			}
		}
		if n > 0 {
			res.FileIssues = append(res.FileIssues, roster.Issue{Severity: roster.Warning, Field: f, Code: "target.not_carried",
				Message: fmt.Sprintf("%s %s, which %s cannot carry: plan will name it again and send it nowhere", plural(n, "row gives", "rows give"), f, reg.Service)})
		}
	}
	if reg.NoPeopleSets && sets != nil && len(sets.Sets) > 0 {
		res.FileIssues = append(res.FileIssues, roster.Issue{Severity: roster.Warning, Code: "target.not_carried",
			Message: fmt.Sprintf("people sets are Workplace's (Graph): %s has none, and plan --api %s refuses them", reg.Service, api)})
	}
}

// readRoster opens, parses and validates a roster.
func readRoster(ctx context.Context, o inputOptions) (*validate.Result, error) {
	var mapping map[string]roster.Field
	if o.Mapping != "" {
		m, err := parse.LoadMapping(o.Mapping)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		mapping = m
	}
	rd, err := parse.Open(o.Roster, parse.Options{Sheet: o.Sheet, Mapping: mapping})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return validate.ValidateContext(ctx, rd)
}

func cmdValidate(ctx context.Context, e *env, args []string) error {
	o, err := parseValidate(e, args)
	if err != nil {
		return err
	}
	var f files
	f.reads(o.Roster, o.Mapping, o.PeopleSets)
	if o.Out != "" {
		if err := f.output("--out", o.Out); err != nil {
			return err
		}
	}
	if err := f.check(); err != nil {
		return err
	}
	res, err := readRoster(ctx, o.inputOptions)
	if err != nil {
		return err
	}
	sets, err := readPeopleSets(o.Roster, o.PeopleSets)
	if err != nil {
		return err
	}
	notCarried(res, sets, o.API)
	printValidation(e.stderr, res, 20)
	badSets := printSets(e.stderr, sets)
	if o.Out != "" {
		res.DropIndex()
		doc := report.FromValidation(res)
		report.AddPeopleSets(doc, sets)
		if err := report.WriteContext(ctx, o.Out, doc); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "Report written to %s\n", o.Out)
	}
	if _, invalid := res.Counts(); invalid > 0 || badSets > 0 {
		return exitCode(exitRows)
	}
	return exitCode(exitOK)
}

// printValidation writes a short summary and the first issues to w.
func printValidation(w io.Writer, res *validate.Result, max int) {
	valid, invalid := res.Counts()
	where := res.Path
	if res.Sheet != "" {
		where += fmt.Sprintf(" (sheet %q)", res.Sheet)
	}
	printFileIssues(w, res)
	shown := 0
	for i := range res.Rows {
		for _, is := range res.Rows[i].Issues {
			if shown == max {
				fmt.Fprintf(w, "… more issues: see the report (--out FILE)\n")
				goto summary
			}
			fmt.Fprintf(w, "%s: %s\n", res.Path, is)
			shown++
		}
	}
summary:
	fmt.Fprintf(w, "%s: %d rows: %d valid, %d invalid\n", where, len(res.Rows), valid, invalid)
	if invalid > 0 {
		fmt.Fprintf(w, "Fix the invalid rows and validate again; valid rows can still be planned and applied (invalid ones are skipped).\n")
	}
}

// printFileIssues writes the findings about the roster as a whole (unknown
// or duplicated columns, encoding, what the target cannot carry), one line
// each: validate, plan and apply ROSTER --yes print them alike.
func printFileIssues(w io.Writer, res *validate.Result) {
	for _, is := range res.FileIssues {
		fmt.Fprintf(w, "%s: %s\n", res.Path, is)
	}
}

// printSets reports people set issues and returns the number of invalid sets.
func printSets(w io.Writer, sets *validate.PeopleSets) int {
	if sets == nil {
		return 0
	}
	bad := 0
	for _, s := range sets.Sets {
		for _, is := range s.Issues {
			fmt.Fprintf(w, "%s: people set %q: %s\n", sets.Path, s.Name, is)
		}
		if !s.Valid() {
			bad++
		}
	}
	fmt.Fprintf(w, "%s: %d people sets: %d valid, %d invalid\n", sets.Path, len(sets.Sets), len(sets.Sets)-bad, bad)
	return bad
}
