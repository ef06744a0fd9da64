package main

import (
	"io"
	"runtime/trace"
	"sync/atomic"
	"time"
)

func pingpong(n int) time.Duration {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	t := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	return time.Since(t)
}

// pingpongTraced is pingpong with runtime/trace recording into io.Discard
// (libgoc's side traces with GOC_TRACE's recorder).  Starting and stopping
// the trace is not timed.
func pingpongTraced(n int) time.Duration {
	if err := trace.Start(io.Discard); err != nil {
		panic(err)
	}
	defer trace.Stop()
	return pingpong(n)
}

// transfer moves n values from `producers` senders to as many receivers.
func transfer(n, producers, capacity int) time.Duration {
	ch := make(chan int, capacity)
	each := n/producers + 1
	var role int32
	d := team(2*producers, func() {
		if int(atomic.AddInt32(&role, 1)) <= producers {
			for i := 0; i < each; i++ {
				ch <- i
			}
		} else {
			for i := 0; i < each; i++ {
				<-ch
			}
		}
	})
	return time.Duration(float64(d) * float64(n) / float64(each*producers))
}

func select2(n int) time.Duration {
	a, b := make(chan int), make(chan int)
	close(a)
	close(b)
	t := time.Now()
	for i := 0; i < n; i++ {
		select {
		case <-a:
		case <-b:
		}
	}
	return time.Since(t)
}

var chanCases = []benchCase{
	{"pingpong", "unbuffered ping-pong round trip", pingpong, 1, "ns"},
	{"pingpong_traced", "unbuffered ping-pong round trip, traced", pingpongTraced, 1, "ns"},
	{"buf1", "buffered cap 1, 1 producer -> 1 consumer, per value", func(n int) time.Duration { return transfer(n, 1, 1) }, 1, "ns"},
	{"buf16", "buffered cap 16, 1 -> 1, per value", func(n int) time.Duration { return transfer(n, 1, 16) }, 1, "ns"},
	{"buf128", "buffered cap 128, 1 -> 1, per value", func(n int) time.Duration { return transfer(n, 1, 128) }, 1, "ns"},
	{"mpmc4x4", "cap 16, 4 producers x 4 consumers, per value", func(n int) time.Duration { return transfer(n, 4, 16) }, 1, "ns"},
	{"select2", "select over two ready channels", select2, 1, "ns"},
}
