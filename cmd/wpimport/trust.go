package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/userstate"
)

// A plan file is applied without --approved only if it is exactly as this
// user's wpimport made it (its seal), recently enough (--max-plan-age), and
// once (the record of applied plans, with the journal beside the plan).

// defaultMaxPlanAge is --max-plan-age's default.
const defaultMaxPlanAge = 7 * 24 * time.Hour

// futureSlack is how far in the future a plan's creation time may be
// (clocks of two machines, or of one machine, drift a little).
const futureSlack = 5 * time.Minute

// ageFlag is a duration as Go writes them (36h, 90m) or in days (7d).
type ageFlag time.Duration

func (a *ageFlag) String() string { return formatAge(time.Duration(*a)) }

func (a *ageFlag) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	*a = ageFlag(d)
	return nil
}

func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not an age: give days like 7d, or hours and minutes like 36h or 90m", s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || !(days > 0) || days > 3650 {
			return 0, bad
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// formatAge writes an --max-plan-age as it can be given back: 7d, 36h0m0s.
func formatAge(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// humanAge writes an age for people: 40 minutes, 30 hours, 9 days.
func humanAge(d time.Duration) string {
	switch {
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// replan is the command that makes the plan afresh.
func replan(p *plan.Plan, path string) string {
	cmd := "plan"
	if p.Kind == "offboard" {
		cmd = "offboard"
	}
	return fmt.Sprintf("wpimport %s %s … --out %s", cmd, p.Roster.Path, path)
}

// checkSeal refuses a plan file that this user's wpimport did not write
// exactly as it is, unless --approved names its digest (loadPlan checked
// that it does, if given): a plan edited by hand, or made by another user
// or on another machine, is applied only as signed off.
func checkSeal(e *env, o *applyOptions, p *plan.Plan, data []byte, st *userstate.Store) error {
	var what string
	switch plan.CheckSeal(data, p.MAC, st.Key()) {
	case plan.Sealed:
		return nil
	case plan.Unsealed:
		what = fmt.Sprintf("%s carries no seal of this user's wpimport: it was made by an older wpimport, or its seal was removed", o.Plan)
	default:
		what = fmt.Sprintf("%s was edited after it was made, or made by another user or on another machine: its seal does not match this user's key (%s)", o.Plan, st.KeyPath())
	}
	if o.Approved != "" {
		fmt.Fprintf(e.stderr, "Note: %s. It is applied because --approved names its digest.\n", what)
		return nil
	}
	return refused("%s. Nothing was changed. If this exact file was signed off, apply it with --approved and the digest its sign-off names; "+
		"otherwise make a new plan (%s)", what, replan(p, o.Plan))
}

// checkAge refuses a plan older than --max-plan-age, or made in the future.
func checkAge(o *applyOptions, p *plan.Plan, now time.Time) error {
	made, limit := p.CreatedAt, time.Duration(o.MaxPlanAge)
	switch {
	case made.IsZero():
		return refused("%s does not say when it was made (created_at): it was edited. Nothing was changed; make a new plan (%s)", o.Plan, replan(p, o.Plan))
	case made.After(now.Add(futureSlack)):
		return refused("%s says it was made on %s, %s from now: this computer's clock, or the file, is wrong. Nothing was changed. "+
			"Check the clock, then make a new plan (%s)", o.Plan, made.Local().Format("2006-01-02 15:04 MST"), humanAge(made.Sub(now)), replan(p, o.Plan))
	case now.Sub(made) > limit:
		age := now.Sub(made)
		return refused("%s was made %s ago (%s); apply refuses plans older than %s (--max-plan-age), as Workplace has likely changed since. "+
			"Nothing was changed. Make a new plan (%s), or, if this one is still what you want, pass --max-plan-age %dd",
			o.Plan, humanAge(age), made.Local().Format("2006-01-02 15:04 MST"), formatAge(limit), replan(p, o.Plan), int(math.Ceil(age.Hours()/24))+1)
	}
	return nil
}

// claimPlan refuses a plan this user applied before (whatever the file's
// name or folder), unless this apply resumes a run of it through its
// journal (a rerun, a resume after Ctrl-C, --only-failed, or a folder
// copied with its journal), or --reapply says to apply it again; then it
// records the apply.
func claimPlan(e *env, st *userstate.Store, o *applyOptions, p *plan.Plan, digest, planPath, journalPath string) error {
	planAbs, err := filepath.Abs(planPath)
	if err != nil {
		return usageErr("%v", err)
	}
	journalAbs, err := filepath.Abs(journalPath)
	if err != nil {
		return usageErr("%v", err)
	}
	owner, jerr := execute.JournalPlan(journalPath)
	resumes := jerr == nil && owner == digest
	return st.Claim(digest, planAbs, journalAbs, time.Now(), func(a *userstate.Applied) error {
		first := a.Runs[0]
		when := first.Started.Local().Format("2006-01-02 15:04 MST")
		switch {
		case resumes && !a.Has(journalAbs):
			fmt.Fprintf(e.stderr, "Note: %s is a journal of this plan that was not started here (a copied folder?): this apply resumes that run, and the ops it records as done are not repeated.\n", journalPath)
			return nil
		case resumes:
			return nil
		case o.Reapply:
			fmt.Fprintf(e.stderr, "Note: this plan was already applied on %s from %s; applying it again, as --reapply says.\n", when, first.Plan)
			return nil
		}
		where := fmt.Sprintf("on %s from %s", when, first.Plan)
		if n := len(a.Runs); n > 1 {
			where += fmt.Sprintf(", and %s since (last from %s)", plural(n-1, "other time", "other times"), a.Runs[n-1].Plan)
		}
		var why string
		switch {
		case errors.Is(jerr, os.ErrNotExist) && a.Has(journalAbs):
			why = fmt.Sprintf("its journal %s, through which a rerun resumes that run, is gone", journalPath)
		case errors.Is(jerr, os.ErrNotExist):
			why = fmt.Sprintf("this copy has no journal of that run (no %s)", journalPath)
		case jerr != nil:
			why = jerr.Error()
		default:
			why = fmt.Sprintf("the journal %s belongs to another plan", journalPath)
		}
		return refused("%s (%s) was already applied, %s; %s. Nothing was changed. Applying a plan again redoes its changes, "+
			"including any undone by hand since: to bring Workplace in line with the roster, make a new plan (%s). "+
			"To apply this same plan again on purpose, pass --reapply", planPath, digest, where, why, replan(p, planPath))
	})
}
