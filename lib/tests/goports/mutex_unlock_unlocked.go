// Unlocking a mutex that is not locked is a fatal error.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	counter := 0
	mu.Lock()
	counter++
	mu.Unlock()
	fmt.Println("counter", counter)
	mu.Unlock()
}
