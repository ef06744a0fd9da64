package main

import (
	"context"
	"sync"
	"time"
)

const watchers = 1000

// cancelWatched times cancel() until all 1,000 watchers have woken.
func cancelWatched(rounds int) time.Duration {
	var total time.Duration
	for r := 0; r < rounds; r++ {
		ctx, cancel := context.WithCancel(context.Background())
		var started, finished sync.WaitGroup
		started.Add(watchers)
		finished.Add(watchers)
		for i := 0; i < watchers; i++ {
			go func() {
				started.Done()
				<-ctx.Done()
				finished.Done()
			}()
		}
		started.Wait()
		t := time.Now()
		cancel()
		finished.Wait()
		total += time.Since(t)
	}
	return total
}

var ctxCases = []benchCase{
	{"ctx_cancel", "cancel a context watched by 1,000 goroutines", cancelWatched, 1000, "us"},
}
