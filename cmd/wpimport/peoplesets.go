package main

import "github.com/wpimport/wpimport/internal/plan"

// readPeopleSets reads the people sets input, if any.
func readPeopleSets(o *planFlags) (*plan.SetInput, error) { return nil, nil }
