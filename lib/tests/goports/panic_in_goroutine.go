// A goroutine panics while main waits; the other worker's lines printed
// before the panic come out whole, and the program exits 2.
package main

import (
	"fmt"
	"sync"
)

func worker(id int, wg *sync.WaitGroup, out chan<- string) {
	defer wg.Done()
	for i := 0; i < 3; i++ {
		out <- fmt.Sprintf("worker %d step %d", id, i)
	}
}

func main() {
	var wg sync.WaitGroup
	out := make(chan string)
	wg.Add(1)
	go worker(1, &wg, out)
	for i := 0; i < 3; i++ {
		fmt.Println(<-out)
	}
	wg.Wait()
	fail := make(chan bool)
	go func() {
		<-fail
		panic(fmt.Sprintf("job %d: bad input %q", 7, "x"))
	}()
	fail <- true
	select {}
}
