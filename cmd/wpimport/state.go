package main

import (
	"fmt"

	"github.com/wpimport/wpimport/internal/userstate"
)

// openState opens the user's state folder: the key that seals the plans
// this user makes, and the record of the plans applied.
func openState(e *env) (*userstate.Store, error) {
	st, err := userstate.Open(e.getenv)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if st.Created() {
		fmt.Fprintf(e.stderr, "Note: made %s, the key that seals the plans you make (readable by you only): "+
			"apply takes a plan without --approved only if this key sealed it.\n", st.KeyPath())
	}
	if w := st.Warning(); w != "" {
		fmt.Fprintf(e.stderr, "Warning: %s\n", w)
	}
	return st, nil
}
