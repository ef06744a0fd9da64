// context: cancel flows down and never up, a timeout ends in "deadline
// exceeded", values are found through ancestors.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type key struct{}

func main() {
	root, cancel := context.WithCancel(context.Background())
	child, cancelChild := context.WithCancel(root)
	defer cancelChild()
	withValue := context.WithValue(child, key{}, "request-42")
	fmt.Println("before:", root.Err(), child.Err())
	cancel()
	<-withValue.Done()
	fmt.Println("after cancel:", child.Err(), errors.Is(child.Err(), context.Canceled))
	fmt.Println("value:", withValue.Value(key{}))

	other, cancelOther := context.WithCancel(context.Background())
	grandchild, cancelGrandchild := context.WithCancel(other)
	cancelGrandchild()
	fmt.Println("parent untouched:", other.Err())
	fmt.Println("grandchild:", grandchild.Err())
	cancelOther()

	ctx, cancelTimeout := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelTimeout()
	_, hasDeadline := ctx.Deadline()
	select {
	case <-ctx.Done():
		fmt.Println("timeout:", ctx.Err(), hasDeadline)
	case <-time.After(10 * time.Second):
		fmt.Println("timer fired first")
	}
	fmt.Println("is deadline exceeded:", errors.Is(ctx.Err(), context.DeadlineExceeded))
}
