// Sending on a closed channel panics; what was printed before stays.
package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	fmt.Println("sending once")
	ch <- 1
	close(ch)
	fmt.Println("received", <-ch)
	ch <- 2
	fmt.Println("never printed")
}
