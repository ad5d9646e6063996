package emulator

import (
	"strconv"
	"strings"
)

// PATCH (RFC 7644 §3.5.2) works on a resource's JSON form: each operation
// changes the map, and the result is then set as a PUT would set it, so a
// PATCH obeys every rule a PUT does and is atomic (nothing is stored
// unless every operation and the result pass).

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// patchPath is a PATCH path: attr, attr.sub, attr[filter] or
// attr[filter].sub, with an optional schema URN in front.
type patchPath struct {
	attrRef
	filter *filterNode
}

func parsePatchPath(p string) (patchPath, *serr) {
	var pp patchPath
	head, rest := p, ""
	if i := strings.IndexByte(p, '['); i >= 0 {
		j := strings.LastIndexByte(p, ']')
		if j < i {
			return pp, badRequest("invalidPath", "Invalid path %q: [ without ]", p)
		}
		head, rest = p[:i], p[j+1:]
		f, err := parseFilter(p[i+1 : j])
		if err != nil {
			return pp, badRequest("invalidPath", "Invalid path %q: %s", p, err.detail)
		}
		pp.filter = f
		if rest != "" && (!strings.HasPrefix(rest, ".") || strings.Contains(rest[1:], ".")) {
			return pp, badRequest("invalidPath", "Invalid path %q", p)
		}
	}
	ref, err := parseAttrRef(head)
	if err != nil {
		return pp, badRequest("invalidPath", "Invalid path %q: %v", p, err)
	}
	if pp.filter != nil && ref.sub != "" {
		return pp, badRequest("invalidPath", "Invalid path %q", p)
	}
	if rest != "" {
		ref.sub = rest[1:]
	}
	pp.attrRef = ref
	return pp, nil
}

// multiValued are the attributes that hold lists.
var multiValued = map[string]bool{"emails": true, "phonenumbers": true, "addresses": true, "members": true, "groups": true,
	"ims": true, "photos": true, "entitlements": true, "roles": true, "x509certificates": true, "schemas": true}

// applyPatch runs ops on res, in order. It refuses ops on read-only
// attributes (mutability) and names no target it cannot find (noTarget).
func applyPatch(res map[string]any, ops []patchOp) *serr {
	if len(ops) == 0 {
		return badRequest("invalidSyntax", "A PATCH needs at least one operation in Operations")
	}
	for i, op := range ops {
		if err := applyOne(res, op); err != nil {
			err.detail = "Operation " + strconv.Itoa(i+1) + ": " + err.detail
			return err
		}
	}
	return nil
}

func applyOne(res map[string]any, op patchOp) *serr {
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return badRequest("invalidSyntax", "op %q is not one of add, replace, remove (lower case)", op.Op)
	}
	if op.Path == "" {
		if op.Op == "remove" {
			return badRequest("noTarget", "remove needs a path")
		}
		vals, ok := op.Value.(map[string]any)
		if !ok {
			return badRequest("invalidValue", "%s without a path needs an object of attributes as its value", op.Op)
		}
		for k, v := range vals {
			if strings.HasPrefix(strings.ToLower(k), "urn:") {
				ext, ok := v.(map[string]any)
				if !ok {
					return badRequest("invalidValue", "the value of %s must be an object", k)
				}
				for ek, ev := range ext {
					if err := setAttr(res, op.Op, patchPath{attrRef: attrRef{urn: canonURN(k), name: ek}}, ev); err != nil {
						return err
					}
				}
				continue
			}
			if err := setAttr(res, op.Op, patchPath{attrRef: attrRef{name: k}}, v); err != nil {
				return err
			}
		}
		return nil
	}
	pp, err := parsePatchPath(op.Path)
	if err != nil {
		return err
	}
	if op.Op == "remove" {
		return removeAttr(res, pp, op.Value)
	}
	if op.Value == nil {
		return badRequest("invalidValue", "%s %s needs a value", op.Op, op.Path)
	}
	return setAttr(res, op.Op, pp, op.Value)
}

func canonURN(k string) string {
	for _, u := range knownURNs {
		if strings.EqualFold(u, k) {
			return u
		}
	}
	return k
}

// container is the map an attribute of pp lives in: res, or its extension.
func container(res map[string]any, urn string, create bool) map[string]any {
	if urn == "" {
		return res
	}
	key := keyFold(res, urn)
	ext, _ := res[key].(map[string]any)
	if ext == nil && create {
		ext = map[string]any{}
		res[key] = ext
		if s, ok := res["schemas"].([]any); ok && !containsFold(s, urn) {
			res["schemas"] = append(s, urn)
		}
	}
	return ext
}

// keyFold is the key m uses for name, ignoring case, or name.
func keyFold(m map[string]any, name string) string {
	if _, ok := m[name]; ok {
		return name
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

func setAttr(res map[string]any, op string, pp patchPath, v any) *serr {
	if readOnly(pp.urn, pp.name) {
		return badRequest("mutability", "%s is read-only", pp.String())
	}
	c := container(res, pp.urn, true)
	key := keyFold(c, pp.name)
	if pp.filter != nil {
		list, _ := c[key].([]any)
		hit := false
		for i, el := range list {
			m, ok := el.(map[string]any)
			if !ok || !pp.filter.match(m) {
				continue
			}
			hit = true
			if pp.sub != "" {
				m[keyFold(m, pp.sub)] = v
			} else if nv, ok := v.(map[string]any); ok {
				for k, x := range nv {
					m[keyFold(m, k)] = x
				}
			} else {
				list[i] = v
			}
		}
		if !hit {
			return badRequest("noTarget", "no value of %s matches the filter", pp.name)
		}
		return nil
	}
	if pp.sub != "" {
		m, _ := c[key].(map[string]any)
		if m == nil {
			if _, isList := c[key].([]any); isList {
				return badRequest("invalidPath", "%s is multi-valued: choose values with a filter, e.g. %s[type eq \"work\"].%s", pp.name, pp.name, pp.sub)
			}
			m = map[string]any{}
			c[key] = m
		}
		m[keyFold(m, pp.sub)] = v
		return nil
	}
	if multiValued[strings.ToLower(pp.name)] && op == "add" {
		old, _ := c[key].([]any)
		c[key] = append(old, asList(v)...)
		return nil
	}
	if old, ok := c[key].(map[string]any); ok && op == "add" {
		if nv, ok := v.(map[string]any); ok {
			for k, x := range nv {
				old[keyFold(old, k)] = x
			}
			return nil
		}
	}
	c[key] = v
	return nil
}

func removeAttr(res map[string]any, pp patchPath, v any) *serr {
	if readOnly(pp.urn, pp.name) {
		return badRequest("mutability", "%s is read-only", pp.String())
	}
	c := container(res, pp.urn, false)
	if c == nil {
		return nil
	}
	key := keyFold(c, pp.name)
	list, isList := c[key].([]any)
	switch {
	case pp.filter != nil:
		var keep []any
		for _, el := range list {
			m, ok := el.(map[string]any)
			switch {
			case !ok || !pp.filter.match(m):
				keep = append(keep, el)
			case pp.sub != "":
				delete(m, keyFold(m, pp.sub))
				keep = append(keep, m)
			}
		}
		c[key] = keep
	case pp.sub != "":
		if m, ok := c[key].(map[string]any); ok {
			delete(m, keyFold(m, pp.sub))
		}
	case isList && v != nil: // remove members with a value list (Azure's way)
		drop := map[string]bool{}
		for _, x := range asList(v) {
			if m, ok := x.(map[string]any); ok {
				if id, ok := getFold(m, "value").(string); ok {
					drop[id] = true
				}
			}
		}
		var keep []any
		for _, el := range list {
			if m, ok := el.(map[string]any); ok {
				if id, _ := getFold(m, "value").(string); drop[id] {
					continue
				}
			}
			keep = append(keep, el)
		}
		c[key] = keep
	default:
		delete(c, key)
	}
	return nil
}
