package archtest

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wpimport/wpimport"

// core are the packages that plan, execute, apply, report or undo: they
// must not import a concrete target, directly or through another package.
var core = []string{"internal/plan", "internal/execute", "internal/session", "internal/report", "internal/undo", "internal/pace",
	"internal/validate", "internal/parse", "internal/roster"}

// concrete are the target packages only cmd and the targets themselves may
// import (and the old clients they replaced, which must not come back).
var concrete = []string{"internal/target/graph", "internal/target/scim", "internal/workplace", "internal/scim"}

func root(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// deps returns every package of the module pkg imports, transitively
// (tests excluded), with the chain that leads to each.
func deps(t *testing.T, dir, pkg string) map[string][]string {
	out := map[string][]string{}
	var walk func(p string, chain []string)
	walk = func(p string, chain []string) {
		bp, err := build.Import(p, dir, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return
			}
			t.Fatalf("import %s: %v", p, err)
		}
		for _, imp := range bp.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if _, seen := out[imp]; seen {
				continue
			}
			out[imp] = append(slices.Clone(chain), imp)
			walk(imp, out[imp])
		}
	}
	walk(module+"/"+pkg, []string{module + "/" + pkg})
	return out
}

// The rule of DESIGN.md: nothing that plans, executes, applies, reports
// or undoes imports a concrete target; only cmd and the targets do.
func TestCoreImportsNoConcreteTarget(t *testing.T) {
	dir := root(t)
	for _, pkg := range core {
		if _, err := build.ImportDir(filepath.Join(dir, pkg), 0); err != nil {
			continue // not written yet (undo)
		}
		for dep, chain := range deps(t, dir, pkg) {
			for _, c := range concrete {
				if dep == module+"/"+c {
					t.Errorf("%s imports %s (through %s): the core speaks to targets only through internal/target",
						pkg, c, strings.Join(chain, " → "))
				}
			}
		}
	}
}

// The rule holds for real: the check finds an import where there is one
// (cmd imports both targets).
func TestCheckFindsImports(t *testing.T) {
	d := deps(t, root(t), "cmd/wpimport")
	for _, c := range []string{"internal/target/graph", "internal/target/scim"} {
		if _, ok := d[module+"/"+c]; !ok {
			t.Errorf("cmd/wpimport does not import %s: the import check would see nothing", c)
		}
	}
}
