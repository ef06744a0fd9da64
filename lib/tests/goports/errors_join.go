// errors.Join (Go 1.20): one error per line, nil skipped, errors.Is looks
// into every joined error.  Not recorded yet: record.sh needs Go >= 1.20.
package main

import (
	"errors"
	"fmt"
)

var errNotFound = errors.New("not found")

func main() {
	fmt.Println("all nil:", errors.Join(nil, nil) == nil)
	a := errors.New("job 1 failed")
	b := fmt.Errorf("job 2: %w", errNotFound)
	joined := errors.Join(a, nil, b)
	fmt.Println(joined)
	fmt.Println("is not found:", errors.Is(joined, errNotFound))
	fmt.Println("unwrap:", errors.Unwrap(joined))
}
