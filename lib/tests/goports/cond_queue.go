// sync.Cond: a consumer waits for items in a loop; the producer signals
// each item and broadcasts the end.
package main

import (
	"fmt"
	"sync"
)

type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []int
	closed bool
}

func consume(q *queue, done chan<- int) {
	sum := 0
	q.mu.Lock()
	for {
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			break
		}
		item := q.items[0]
		q.items = q.items[1:]
		fmt.Println("took", item)
		sum += item
	}
	q.mu.Unlock()
	done <- sum
}

func main() {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	done := make(chan int)
	go consume(q, done)
	for i := 1; i <= 5; i++ {
		q.mu.Lock()
		q.items = append(q.items, i)
		q.mu.Unlock()
		q.cond.Signal()
	}
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
	fmt.Println("sum", <-done)
}
