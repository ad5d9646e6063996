// Command gencodes prints the README table of issue codes: go run ./tools/gencodes
package main

import (
	"fmt"
	"github.com/wpimport/wpimport/internal/validate"
)

func main() {
	for _, c := range validate.CodeList() {
		fmt.Printf("| `%s` | %s |\n", c, validate.Codes[c])
	}
}
