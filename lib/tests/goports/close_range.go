// A producer closes its channel; range drains it; a receive after that
// gives the zero value and ok == false.
package main

import "fmt"

func squares(out chan<- int, n int) {
	for i := 1; i <= n; i++ {
		out <- i * i
	}
	close(out)
}

func main() {
	ch := make(chan int, 2)
	go squares(ch, 5)
	total := 0
	for v := range ch {
		fmt.Println("square", v)
		total += v
	}
	fmt.Println("total", total)
	v, ok := <-ch
	fmt.Println("closed:", v, ok)
}
