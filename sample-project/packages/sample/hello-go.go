package main

import (
	"context"
	"fmt"
	"runtime"
)

// Main greets the caller; DigitalOcean's Go runtime passes the context and the event.
func Main(ctx context.Context, event map[string]interface{}) (map[string]interface{}, error) {
	name, ok := event["name"].(string)
	if !ok {
		name = "stranger"
	}
	fmt.Printf("greeted %s from %s\n", name, ctx.Value("function_name"))
	return map[string]interface{}{"body": fmt.Sprintf("Hello %s, from Go %s!", name, runtime.Version())}, nil
}
