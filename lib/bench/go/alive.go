package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
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

// alive parks `limit` goroutines on one channel and measures what they
// cost; goroutines grow their stacks on demand, so the cap is what stops it.
func alive(limit int) {
	runtime.GC()
	base := residentKB()
	hold := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(limit)
	for i := 0; i < limit; i++ {
		go func() {
			<-hold
			wg.Done()
		}()
	}
	kb := residentKB() - base
	fmt.Printf("alive\t%d\tgoroutines\tgoroutines alive at once (limit: cap)\n", limit)
	fmt.Printf("alive_mem\t%.1f\tKB\tmemory per live goroutine (resident)\n", float64(kb)/float64(limit))
	close(hold)
	wg.Wait()
}
