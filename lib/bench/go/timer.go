package main

import (
	"sync"
	"time"
)

const sleepers = 1000

// sleep1us times n sleeps that are due at once, each until running again.
func sleep1us(n int) time.Duration {
	t := time.Now()
	for i := 0; i < n; i++ {
		time.Sleep(time.Microsecond)
	}
	return time.Since(t)
}

// sleep1msX1000 has 1,000 goroutines each sleep 1 ms, rounds times over.
func sleep1msX1000(rounds int) time.Duration {
	var wg sync.WaitGroup
	wg.Add(sleepers)
	t := time.Now()
	for i := 0; i < sleepers; i++ {
		go func() {
			for r := 0; r < rounds; r++ {
				time.Sleep(time.Millisecond)
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return time.Since(t)
}

// pingpongTimerPending is pingpong with an hour-long timer pending.
func pingpongTimerPending(n int) time.Duration {
	later := time.NewTimer(time.Hour)
	defer later.Stop()
	return pingpong(n)
}

var timerCases = []benchCase{
	{"sleep_1us", "sleep 1 us, until running again", sleep1us, 1, "ns"},
	{"sleep_1ms_x1000", "1,000 goroutines sleep 1 ms at once, per round (floor 1,000 us)", sleep1msX1000, 1000, "us"},
	{"pingpong_timer_pending", "unbuffered ping-pong round trip, an hour-long timer pending", pingpongTimerPending, 1, "ns"},
}
