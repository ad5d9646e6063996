package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// A SCIM filter (RFC 7644 §3.4.2.2), parsed into a tree and evaluated over
// a resource in its JSON form (map[string]any), so that core attributes,
// extension attributes and value paths are all one case.

type filterNode struct {
	op    string // "and", "or", "not", "pr", or a comparison: eq ne co sw ew gt ge lt le
	left  *filterNode
	right *filterNode
	attr  attrRef
	value any         // the comparison's JSON value
	inner *filterNode // a value path's filter: attr[inner]
}

// attrRef names an attribute: an optional schema URN, the attribute and
// an optional sub-attribute.
type attrRef struct {
	urn, name, sub string
}

func (ref attrRef) String() string {
	s := ref.name
	if ref.sub != "" {
		s += "." + ref.sub
	}
	if ref.urn != "" {
		s = ref.urn + ":" + s
	}
	return s
}

// maxFilterLen bounds a filter's text; maxFilterDepth its nesting.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
)

type filterParser struct {
	toks  []string
	pos   int
	depth int
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

// parseFilter parses text; any fault is an invalidFilter error.
func parseFilter(text string) (*filterNode, *serr) {
	if len(text) > maxFilterLen {
		return nil, badRequest("invalidFilter", "The filter is longer than %d characters", maxFilterLen)
	}
	toks, err := lexFilter(text)
	if err != nil {
		return nil, badRequest("invalidFilter", "Invalid filter %q: %v", text, err)
	}
	p := &filterParser{toks: toks}
	n, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	if err != nil {
		return nil, badRequest("invalidFilter", "Invalid filter %q: %v", text, err)
	}
	return n, nil
}

// lexFilter splits a filter into words, JSON strings, and ( ) [ ].
func lexFilter(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '"' {
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("a string that never closes")
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()[]\"", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func (p *filterParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *filterParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *filterParser) or() (*filterNode, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxFilterDepth)
	}
	return p.joined("or", func() (*filterNode, error) { return p.joined("and", p.unary) })
}

// joined reads operands joined by word (and, or), left to right.
func (p *filterParser) joined(word string, operand func() (*filterNode, error)) (*filterNode, error) {
	l, err := operand()
	for err == nil && strings.EqualFold(p.peek(), word) {
		p.next()
		var r *filterNode
		if r, err = operand(); err == nil {
			l = &filterNode{op: word, left: l, right: r}
		}
	}
	return l, err
}

func (p *filterParser) unary() (*filterNode, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("it ends too soon")
	case strings.EqualFold(t, "not"):
		if p.next() != "(" {
			return nil, fmt.Errorf("not must be followed by (")
		}
		n, err := p.group()
		if err != nil {
			return nil, err
		}
		return &filterNode{op: "not", left: n}, nil
	case t == "(":
		return p.group()
	}
	ref, err := parseAttrRef(t)
	if err != nil {
		return nil, err
	}
	if p.peek() == "[" { // a value path: emails[type eq "work"]
		p.next()
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != "]" {
			return nil, fmt.Errorf("[ without ]")
		}
		n := &filterNode{op: "[]", attr: ref, inner: inner}
		if strings.HasPrefix(p.peek(), ".") { // emails[type eq "work"].value eq "x"
			return nil, fmt.Errorf("a sub-attribute after ] is for PATCH paths, not filters")
		}
		return n, nil
	}
	op := strings.ToLower(p.next())
	if op == "pr" {
		return &filterNode{op: "pr", attr: ref}, nil
	}
	if !compareOps[op] {
		return nil, fmt.Errorf("unknown operator %q after %s", op, t)
	}
	raw := p.next()
	if raw == "" {
		return nil, fmt.Errorf("%s %s needs a value", t, op)
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("the value %s is not a JSON string, number, true, false or null", raw)
	}
	if _, isObj := v.(map[string]any); isObj {
		return nil, fmt.Errorf("the value %s is not a JSON string, number, true, false or null", raw)
	}
	if _, isArr := v.([]any); isArr {
		return nil, fmt.Errorf("the value %s is not a JSON string, number, true, false or null", raw)
	}
	return &filterNode{op: op, attr: ref, value: v}, nil
}

func (p *filterParser) group() (*filterNode, error) {
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.next() != ")" {
		return nil, fmt.Errorf("( without )")
	}
	return n, nil
}

// knownURNs are the schemas whose attributes a path may name in full.
var knownURNs = []string{entUserURN, fbAuthURN, fbStatusURN, fbDatesURN, coreUserURN, coreGroupURN}

// parseAttrRef reads [urn:]name[.sub].
func parseAttrRef(t string) (attrRef, error) {
	var ref attrRef
	if strings.HasPrefix(strings.ToLower(t), "urn:") {
		for _, u := range knownURNs {
			if len(t) > len(u) && strings.EqualFold(t[:len(u)], u) && t[len(u)] == ':' {
				ref.urn, t = u, t[len(u)+1:]
				break
			}
		}
		if ref.urn == "" {
			return ref, fmt.Errorf("unknown schema in %q", t)
		}
		if ref.urn == coreUserURN || ref.urn == coreGroupURN {
			ref.urn = ""
		}
	}
	name, sub, _ := strings.Cut(t, ".")
	if !validAttrName(name) || (sub != "" && !validAttrName(sub)) {
		return ref, fmt.Errorf("%q is not an attribute name", t)
	}
	ref.name, ref.sub = name, sub
	return ref, nil
}

func validAttrName(s string) bool {
	if s == "" || s == "$ref" {
		return s != ""
	}
	for i, r := range s {
		if !(unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '_' || r == '-'))) {
			return false
		}
	}
	return true
}

// caseExact are the attributes compared case-sensitively (RFC 7643):
// ids and versions; all else, userName included, ignores case.
var caseExact = map[string]bool{"id": true, "externalid": true, "value": true, "version": true, "$ref": true}

// match reports whether the resource satisfies n.
func (n *filterNode) match(res map[string]any) bool {
	switch n.op {
	case "and":
		return n.left.match(res) && n.right.match(res)
	case "or":
		return n.left.match(res) || n.right.match(res)
	case "not":
		return !n.left.match(res)
	case "[]":
		for _, el := range asList(lookup(res, n.attr.urn, n.attr.name)) {
			if m, ok := el.(map[string]any); ok && n.inner.match(m) {
				return true
			}
		}
		return false
	}
	vals := n.attr.values(res)
	if n.op == "pr" {
		for _, v := range vals {
			if present(v) {
				return true
			}
		}
		return false
	}
	exact := caseExact[strings.ToLower(n.attr.name)] && n.attr.sub == ""
	if n.attr.sub != "" {
		exact = caseExact[strings.ToLower(n.attr.sub)] && !strings.EqualFold(n.attr.name, "emails")
	}
	if n.op == "ne" {
		for _, v := range vals {
			if compare("eq", v, n.value, exact) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if compare(n.op, v, n.value, exact) {
			return true
		}
	}
	return false
}

// values are what ref names in res, multi-valued attributes flattened;
// a multi-valued complex attribute without a sub-attribute stands for the
// values of its "value" sub-attributes (emails eq "x").
func (ref attrRef) values(res map[string]any) []any {
	v := lookup(res, ref.urn, ref.name)
	var out []any
	for _, el := range asList(v) {
		m, isMap := el.(map[string]any)
		switch {
		case ref.sub != "" && isMap:
			out = append(out, getFold(m, ref.sub))
		case ref.sub == "" && isMap:
			out = append(out, getFold(m, "value"))
		case ref.sub == "":
			out = append(out, el)
		}
	}
	return out
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

// lookup finds an attribute of res, in the extension urn if given; names
// ignore case (RFC 7643 §2.1).
func lookup(res map[string]any, urn, name string) any {
	if urn != "" {
		ext, _ := getFold(res, urn).(map[string]any)
		return getFold(ext, name)
	}
	return getFold(res, name)
}

func getFold(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

func compare(op string, have, want any, exact bool) bool {
	switch w := want.(type) {
	case string:
		h, ok := have.(string)
		if !ok {
			return false
		}
		if !exact {
			h, w = strings.ToLower(h), strings.ToLower(w)
		}
		switch op {
		case "co":
			return strings.Contains(h, w)
		case "sw":
			return strings.HasPrefix(h, w)
		case "ew":
			return strings.HasSuffix(h, w)
		}
		return ordered(op, h, w)
	case float64:
		h, ok := have.(float64)
		return ok && ordered(op, h, w)
	case bool:
		h, ok := have.(bool)
		return ok && op == "eq" && h == w
	case nil:
		return op == "eq" && !present(have)
	}
	return false
}

// ordered applies eq, gt, ge, lt or le.
func ordered[T cmp.Ordered](op string, h, w T) bool {
	switch op {
	case "eq":
		return h == w
	case "gt":
		return h > w
	case "ge":
		return h >= w
	case "lt":
		return h < w
	case "le":
		return h <= w
	}
	return false
}

// simpleEq reports the attribute and value of a filter that is a single
// `attr eq "string"`, the look-up most clients make.
func (n *filterNode) simpleEq() (attrRef, string, bool) {
	if n.op != "eq" {
		return attrRef{}, "", false
	}
	s, ok := n.value.(string)
	return n.attr, s, ok && n.attr.sub == ""
}

// eqSet reports the core attribute and values of a filter that is one or
// more `attr eq "string"` joined by or (`id eq "1" or id eq "2"`): the
// batched look-ups clients make, which an index answers.
func (n *filterNode) eqSet() (string, []string, bool) {
	if n.op == "or" {
		la, lv, lok := n.left.eqSet()
		ra, rv, rok := n.right.eqSet()
		return la, append(lv, rv...), lok && rok && strings.EqualFold(la, ra)
	}
	ref, v, ok := n.simpleEq()
	return ref.name, []string{v}, ok && ref.urn == ""
}
