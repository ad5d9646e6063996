package emulator

import (
	"strings"
)

// The part of the filter grammar a profile understands (§15.2: usually
// one eq, no or). A filter outside it is a 400 invalidFilter that says
// what the service does filter by.

// filterOf parses the query's filter (nil: none) and holds it to rule.
func (s *Server) filterOf(q map[string][]string, rule filterRule) (*filterNode, *serr) {
	text := first(q, "filter")
	if text == "" {
		return nil, nil
	}
	f, err := parseFilter(text)
	if err != nil || !rule.limited {
		return f, err
	}
	if !rule.allows(f) {
		return nil, badRequest("invalidFilter", "This service cannot filter by %s: it filters only %s", text, rule)
	}
	rule.alias(f)
	return f, nil
}

// allows reports whether every part of n is in the rule. The services
// that limit filters document string comparisons only
// (`<attr> eq "<value>"`, AWS §1), so values must be JSON strings.
func (r filterRule) allows(n *filterNode) bool {
	switch n.op {
	case "and":
		return r.and && r.allows(n.left) && r.allows(n.right)
	case "or":
		return r.or && r.allows(n.left) && r.allows(n.right)
	case "not", "[]":
		return false
	}
	if r.ops != nil && !has(r.ops, n.op) {
		return false
	}
	if _, isString := n.value.(string); !isString && n.op != "pr" {
		return false
	}
	return has(r.attrs, n.attr.path())
}

// alias rewrites the attributes the rule gives another meaning (Slack's
// email is emails; Zoom's externalId is its own id).
func (r filterRule) alias(n *filterNode) {
	if n == nil {
		return
	}
	if to, ok := r.aliases[n.attr.path()]; ok && n.attr.name != "" {
		if ref, err := parseAttrRef(to); err == nil {
			n.attr = ref
		}
	}
	r.alias(n.left)
	r.alias(n.right)
}

// String says what the rule allows, for an admin reading the refusal.
func (r filterRule) String() string {
	ops := "any operator"
	if r.ops != nil {
		ops = strings.Join(r.ops, ", ")
	}
	join := "one expression (no and, no or)"
	switch {
	case r.and && r.or:
		join = "expressions joined by and or or"
	case r.and:
		join = "expressions joined by and (no or)"
	}
	return "on " + strings.Join(r.attrs, ", ") + " with " + ops + " and a quoted value, " + join
}

// path is the attribute as a rule names it, in lower case: name[.sub],
// with its schema URN in front if it had one.
func (ref attrRef) path() string {
	p := ref.name
	if ref.sub != "" {
		p += "." + ref.sub
	}
	if ref.urn != "" {
		p = ref.urn + ":" + p
	}
	return strings.ToLower(p)
}

// names reports whether the filter tests the attribute name.
func (n *filterNode) names(name string) bool {
	if n == nil {
		return false
	}
	return strings.EqualFold(n.attr.name, name) || n.left.names(name) || n.right.names(name) || n.inner.names(name)
}
