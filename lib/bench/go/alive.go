package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// residentKB reads this process's resident set, as the C probe does.
func residentKB() int64 {
	var size, resident int64
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return 0
	}
	defer f.Close()
	fmt.Fscan(f, &size, &resident)
	return resident * int64(os.Getpagesize()) / 1024
}

// alive parks `limit` goroutines on one channel, waits until every one has
// run to its receive, and measures what they cost, then closes the channel
// and times until every one has finished (as bench_alive.c does);
// goroutines grow their stacks on demand, so the cap is what stops it.
func alive(limit int) {
	runtime.GC()
	base := residentKB()
	hold := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(limit)
	start := time.Now()
	var atReceive atomic.Int64
	for i := 0; i < limit; i++ {
		go func() {
			atReceive.Add(1)
			<-hold
			wg.Done()
		}()
	}
	for atReceive.Load() < int64(limit) {
		runtime.Gosched()
	}
	started := time.Since(start)
	kb := residentKB() - base
	start = time.Now()
	close(hold)
	wg.Wait()
	woken := time.Since(start)
	fmt.Printf("alive\t%d\tgoroutines\tgoroutines alive at once (limit: cap)\n", limit)
	fmt.Printf("alive_mem\t%.2f\tKB\tmemory per parked goroutine (resident)\n", float64(kb)/float64(limit))
	fmt.Printf("alive_start\t%.0f\tns\tstarting them until each waits, per goroutine\n", float64(started.Nanoseconds())/float64(limit))
	fmt.Printf("alive_wake\t%.0f\tns\twaking them all (close) until each is done, per goroutine\n", float64(woken.Nanoseconds())/float64(limit))
}
