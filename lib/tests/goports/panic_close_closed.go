// Closing a channel twice panics, even from another goroutine.
package main

import "fmt"

func main() {
	ch := make(chan int)
	done := make(chan bool)
	go func() {
		close(ch)
		done <- true
	}()
	<-done
	fmt.Println("closed once")
	close(ch)
}
