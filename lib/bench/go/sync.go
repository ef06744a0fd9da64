package main

import (
	"sync"
	"sync/atomic"
	"time"
)

func spawnWG(n int) time.Duration {
	var wg sync.WaitGroup
	t := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go wg.Done()
	}
	wg.Wait()
	return time.Since(t)
}

// adds reports the time per add, whichever goroutine made it.
func adds(n, workers int, atomicAdd bool) time.Duration {
	var mu sync.Mutex
	var value, atomicValue int64
	each := n/workers + 1
	d := team(workers, func() {
		for i := 0; i < each; i++ {
			if atomicAdd {
				atomic.AddInt64(&atomicValue, 1)
			} else {
				mu.Lock()
				value++
				mu.Unlock()
			}
		}
	})
	return time.Duration(float64(d) * float64(n) / float64(each*workers))
}

func mutexAdds(workers int) benchFn {
	return func(n int) time.Duration { return adds(n, workers, false) }
}

func atomicAdds(workers int) benchFn {
	return func(n int) time.Duration { return adds(n, workers, true) }
}

var syncCases = []benchCase{
	{"spawn_wg", "spawn + WaitGroup done, per goroutine", spawnWG, 1, "ns"},
	{"mutex1", "mutex add, uncontended", mutexAdds(1), 1, "ns"},
	{"mutex2", "mutex add, 2 goroutines", mutexAdds(2), 1, "ns"},
	{"mutex4", "mutex add, 4 goroutines", mutexAdds(4), 1, "ns"},
	{"mutex8", "mutex add, 8 goroutines", mutexAdds(8), 1, "ns"},
	{"atomic1", "atomic add, 1 goroutine", atomicAdds(1), 1, "ns"},
	{"atomic4", "atomic add, 4 goroutines", atomicAdds(4), 1, "ns"},
}
