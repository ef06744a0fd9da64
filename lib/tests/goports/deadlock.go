// Everyone waits and nobody can wake them: Go's deadlock report.
package main

import "fmt"

func main() {
	results := make(chan int)
	go func() {
		results <- 1
	}()
	fmt.Println("first", <-results)
	fmt.Println("waiting for a second result nobody sends")
	fmt.Println(<-results)
}
