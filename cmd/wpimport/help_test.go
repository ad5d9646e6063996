package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

var flagRef = regexp.MustCompile(`--([a-z][a-z-]+)`)

// Every command's --help mentions only flags that exist, lists every flag
// it has, and the README names every flag too.
func TestHelpMatchesFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if c.name == "version" {
			continue
		}
		var out bytes.Buffer
		code := runEnv(context.Background(), []string{c.name, "--help"}, &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }})
		help := out.String()
		if code != exitOK || !strings.Contains(help, "Usage: wpimport "+c.name) {
			t.Errorf("%s --help: %d\n%s", c.name, code, help)
			continue
		}
		if strings.Contains(help, "\n  -") && regexp.MustCompile(`\n  -[a-z]`).MatchString(help) {
			t.Errorf("%s --help lists an option as -name; the usage lines write --name", c.name)
		}
		listed := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^  --([a-z-]+)`).FindAllStringSubmatch(help, -1) {
			listed[m[1]] = true
		}
		var own []string // lines about this command, not examples of another
		for _, line := range strings.Split(help, "\n") {
			if i := strings.Index(line, "wpimport "); i >= 0 && !strings.HasPrefix(line[i+len("wpimport "):], c.name) {
				continue
			}
			own = append(own, line)
		}
		for _, m := range flagRef.FindAllStringSubmatch(strings.Join(own, "\n"), -1) {
			name := m[1]
			if name == "help" {
				continue
			}
			if !accepts(c.name, name) {
				t.Errorf("%s --help mentions --%s, which %s does not accept", c.name, name, c.name)
			}
			if !listed[name] {
				t.Errorf("%s --help mentions --%s but does not list it", c.name, name)
			}
		}
		for name := range listed {
			if !regexp.MustCompile(`--` + name + `([^a-z-]|$)`).Match(readme) {
				t.Errorf("README does not mention %s --%s", c.name, name)
			}
		}
		if !bytes.Contains(readme, []byte("wpimport "+c.name)) {
			t.Errorf("README does not show wpimport %s", c.name)
		}
	}
}

// accepts reports whether command takes --flag (with some value).
func accepts(command, flag string) bool {
	for _, v := range []string{"1", "1s"} {
		var o bytes.Buffer
		code := runEnv(context.Background(), []string{command, "--" + flag + "=" + v, "--help"}, &env{stdout: &o, stderr: &o, getenv: func(string) string { return "" }})
		if code == exitOK {
			return true
		}
		if strings.Contains(o.String(), "not defined") {
			return false
		}
	}
	return false
}

// An option the command does not have is a usage error naming it, with the
// likely one meant (a typo or a prefix), or a pointer to the list.
func TestUnknownOptionSuggests(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "plan.json", "--resluts", "r.xlsx"}, "unknown option --resluts: did you mean --results?"},
		{[]string{"plan", "r.csv", "--concur", "3"}, "unknown option --concur: wpimport plan's options are listed above"},
		{[]string{"validate", "r.csv", "--mapp", "m.csv"}, "did you mean --mapping?"},
		{[]string{"apply", "plan.json", "--out", "r.xlsx"}, "unknown option --out: wpimport apply's options are listed above"},
	} {
		var out bytes.Buffer
		code := runEnv(context.Background(), c.args, &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }})
		if code != exitUsage || !strings.Contains(out.String(), c.want) {
			t.Errorf("%v: exit %d, want %d and %q in\n%s", c.args, code, exitUsage, c.want, out.String())
		}
	}
}
