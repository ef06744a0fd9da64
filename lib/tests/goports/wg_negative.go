// One Done too many: the WaitGroup counter goes negative.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	done := make(chan bool)
	for i := 0; i < 2; i++ {
		go func(id int) {
			fmt.Println("worker", id, "done")
			wg.Done()
			done <- true
		}(i)
		<-done
	}
	wg.Wait()
	fmt.Println("all done; one more Done:")
	wg.Done()
}
