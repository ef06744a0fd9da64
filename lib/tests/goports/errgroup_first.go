// errgroup: the first error wins and cancels the group's context; the
// others see the cancellation; every Wait returns that first error.
package main

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
)

var errBadInput = errors.New("bad input")

func main() {
	g, ctx := errgroup.WithContext(context.Background())
	results := make([]string, 4)
	for i := 0; i < 4; i++ {
		i := i
		g.Go(func() error {
			if i == 2 {
				return fmt.Errorf("job %d: %w", i, errBadInput)
			}
			<-ctx.Done()
			results[i] = fmt.Sprintf("job %d stopped: %v", i, ctx.Err())
			return ctx.Err()
		})
	}
	err := g.Wait()
	fmt.Println("wait:", err)
	fmt.Println("is bad input:", errors.Is(err, errBadInput))
	fmt.Println("wait again:", g.Wait())
	for _, r := range results {
		if r != "" {
			fmt.Println(r)
		}
	}

	var h errgroup.Group
	h.Go(func() error { return nil })
	fmt.Println("first round:", h.Wait())
	h.Go(func() error { return errors.New("second round failed") })
	fmt.Println("second round:", h.Wait())
}
