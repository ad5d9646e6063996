package emulator

import (
	"net/http"
	"strings"
)

// The PATCH a profile refuses before any operation runs (§15.10): AWS's
// rules on userName, active, remove and path-less operations (§1),
// GitHub's value-filter paths (§3), Zoom's PATCH for active only (§5).

// checkPatch vets a User PATCH's operations.
func (s *Server) checkPatch(ops []patchOp) *serr {
	r := s.prof.patch
	onFixed := 0
	for i, op := range ops {
		if err := s.prof.user.checkChars(op.Path, op.Value); err != nil {
			return err
		}
		if r.pathlessSingle && op.Path == "" && op.Op != "remove" && leaves(op.Value) > 1 {
			// authentik#12321 quotes AWS's words.
			return badRequest("invalidSyntax", "Current PATCH support allows omitting \"path\" attribute only for Add and Replace operations modifying a single attribute.")
		}
		if r.noValueFilter && strings.Contains(op.Path, "[") {
			return badRequest("invalidPath", "Operation %d: value-filter paths like %s are not supported: replace the whole attribute (e.g. path emails)", i+1, op.Path)
		}
		if r.eqOnlyInPath && strings.Contains(op.Path, "[") {
			if pp, err := parsePatchPath(op.Path); err == nil && !onlyEq(pp.filter) {
				return badRequest("invalidFilter", "Operation %d: a path's filter may only use eq: %s", i+1, op.Path)
			}
		}
		for _, t := range targets(op) {
			switch {
			case r.only != nil && !has(r.only, t):
				return badRequest("invalidPath", "Operation %d: PATCH changes only %s here; send %s with PUT", i+1, strings.Join(r.only, ", "), t)
			case r.modifiable != nil && !has(r.modifiable, t):
				return badRequest("mutability", "Operation %d: %s cannot be changed by PATCH on this service", i+1, t)
			case op.Op == "remove" && has(r.noRemove, t):
				return badRequest("mutability", "Operation %d: %s cannot be removed", i+1, t)
			}
			if has(r.oneOpOn, t) {
				onFixed++
			}
		}
	}
	if onFixed > 1 {
		return badRequest("invalidSyntax", "A PATCH may hold only one operation on %s: send the others in another request", strings.Join(s.prof.patch.oneOpOn, " or "))
	}
	return nil
}

// targets are the attributes an operation changes, as a rule names them:
// the path's attribute, "enterprise" for the enterprise extension's.
func targets(op patchOp) []string {
	if op.Path != "" {
		pp, err := parsePatchPath(op.Path)
		if err != nil {
			return nil // applyPatch answers invalidPath
		}
		return []string{targetName(pp.urn, pp.name)}
	}
	var out []string
	if m, ok := op.Value.(map[string]any); ok {
		for k := range m {
			if strings.HasPrefix(strings.ToLower(k), "urn:") {
				out = append(out, targetName(canonURN(k), ""))
				continue
			}
			out = append(out, k)
		}
	}
	return out
}

func targetName(urn, name string) string {
	switch urn {
	case "":
		return name
	case entUserURN:
		return "enterprise"
	}
	return urn
}

// leaves counts the attributes a path-less value sets, an extension's
// one by one.
func leaves(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 1
	}
	n := 0
	for k, x := range m {
		if ext, ok := x.(map[string]any); ok && strings.HasPrefix(strings.ToLower(k), "urn:") {
			n += len(ext)
			continue
		}
		n++
	}
	return n
}

func onlyEq(n *filterNode) bool {
	switch {
	case n == nil:
		return true
	case n.op == "and" || n.op == "or":
		return onlyEq(n.left) && onlyEq(n.right)
	}
	return n.op == "eq"
}

// checkGroupPatch vets a Group PATCH: at most so many member changes
// (AWS §1: 100), no value-filter paths where refused (GitHub §3), and,
// where refused, no replacing or removing all members in one request
// (AWS §1).
func (s *Server) checkGroupPatch(ops []patchOp) *serr {
	if n, limit := membersIn(ops), s.membersMax(); n > limit {
		return badRequest("invalidValue", "The request changes %d members; this service takes at most %d a request", n, limit)
	}
	for i, op := range ops {
		if s.prof.patch.noValueFilter && strings.Contains(op.Path, "[") { // GitHub §3: no value-filter paths in a PATCH
			return badRequest("invalidPath", "Operation %d: value-filter paths like %s are not supported: remove members with path members and a value list", i+1, op.Path)
		}
	}
	if !s.prof.groups.noEmptying {
		return nil
	}
	for i, op := range ops {
		whole := strings.EqualFold(op.Path, "members")
		m, _ := op.Value.(map[string]any)
		switch {
		case op.Op == "replace" && (whole || (op.Path == "" && getFold(m, "members") != nil)),
			op.Op == "remove" && whole && op.Value == nil:
			return scimErr(http.StatusBadRequest, "invalidValue",
				"Operation %d: replacing or removing all members in one request is not allowed: add and remove members by value", i+1)
		}
	}
	return nil
}
