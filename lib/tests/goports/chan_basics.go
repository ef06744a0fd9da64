// Unbuffered ping-pong and a buffered channel's FIFO order, len and cap.
package main

import "fmt"

func ponger(ping <-chan int, pong chan<- int) {
	for v := range ping {
		pong <- v * 10
	}
	close(pong)
}

func main() {
	ping := make(chan int)
	pong := make(chan int)
	go ponger(ping, pong)
	for i := 1; i <= 3; i++ {
		ping <- i
		fmt.Println("ping", i, "pong", <-pong)
	}
	close(ping)
	v, ok := <-pong
	fmt.Println("after close:", v, ok)

	buf := make(chan string, 3)
	buf <- "a"
	buf <- "b"
	fmt.Println("len", len(buf), "cap", cap(buf))
	buf <- "c"
	fmt.Println(<-buf, <-buf, <-buf)
}
