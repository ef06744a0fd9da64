// The Go side of libgoc's benchmarks: the same operations, measured the
// same way, printed as "key<TAB>value<TAB>unit<TAB>description" lines so
// lib/bench/table.sh can set them beside libgoc's.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A benchmark performs n operations and returns how long its measured part took.
type benchFn func(n int) time.Duration

type benchCase struct {
	key, label string
	fn         benchFn
	scale      float64 // ns per op is divided by this (1000: microseconds)
	unit       string
}

const minRun = 150 * time.Millisecond

// team starts `workers` goroutines together and times them from the start
// line to the last one's end, leaving the spawning out, as bench_parallel does.
func team(workers int, work func()) time.Duration {
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(workers)
	for i := 0; i < workers; i++ {
		go func() {
			<-start
			work()
			wg.Done()
		}()
	}
	t := time.Now()
	close(start)
	wg.Wait()
	return time.Since(t)
}

func run(c benchCase) {
	n := 1
	d := c.fn(n)
	for d < minRun && n < 1<<30 {
		next := n * 8
		if d > time.Millisecond {
			next = int(float64(n) * 1.2 * float64(minRun) / float64(d))
		}
		if next <= n {
			next = n + 1
		}
		n = next
		d = c.fn(n)
	}
	fmt.Printf("%s\t%.1f\t%s\t%s\n", c.key, float64(d.Nanoseconds())/float64(n)/c.scale, c.unit, c.label)
}

// aliveChild is the argument that makes this program the alive probe.
const aliveChild = "-alive-probe"

func main() {
	filter := ""
	if len(os.Args) > 1 {
		filter = os.Args[1]
	}
	limit := 1000000
	if v, err := strconv.Atoi(os.Getenv("BENCH_MAX_GOROUTINES_GO")); err == nil {
		limit = v
	}
	if filter == aliveChild {
		alive(limit)
		return
	}
	if strings.Contains("alive", filter) || strings.Contains(filter, "alive") {
		// In a process of its own, as bench_alive.c forks one: run here, it
		// would leave a million dead goroutines for spawn_wg to reuse.
		cmd := exec.Command(os.Args[0], aliveChild)
		cmd.Stdout = os.Stdout
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: the alive probe failed:", err)
		}
	}
	for _, table := range [][]benchCase{chanCases, syncCases, ctxCases, timerCases} {
		for _, c := range table {
			if strings.Contains(c.key, filter) {
				run(c)
			}
		}
	}
}
