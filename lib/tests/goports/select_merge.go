// select: default when nothing is ready, a nil channel is never chosen,
// and merging two channels until both are closed (nil-ing each one).
package main

import "fmt"

func produce(ch chan<- int, from, n int) {
	for i := 0; i < n; i++ {
		ch <- from + i
	}
	close(ch)
}

func main() {
	a := make(chan int)
	select {
	case v := <-a:
		fmt.Println("got", v)
	default:
		fmt.Println("nothing ready")
	}

	var never chan int
	ready := make(chan int, 1)
	ready <- 7
	select {
	case v := <-never:
		fmt.Println("nil channel fired", v)
	case v := <-ready:
		fmt.Println("ready", v)
	}

	b := make(chan int)
	go produce(a, 100, 5)
	go produce(b, 200, 3)
	sum, count := 0, 0
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			sum += v
			count++
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			sum += v
			count++
		}
	}
	fmt.Println("merged", count, "values, sum", sum)
}
