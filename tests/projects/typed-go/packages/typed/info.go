package main

import (
	"context"
	"time"
)

// Info reports what DigitalOcean's runtime puts in the context.
type Info struct {
	Function  string `json:"function"`
	Namespace string `json:"namespace"`
	Activated bool   `json:"activated"`
	Requested bool   `json:"requested"`
	Deadline  bool   `json:"has_deadline"`
}

func Main(ctx context.Context) (Info, error) {
	deadline, ok := ctx.Deadline()
	return Info{
		Function:  ctx.Value("function_name").(string),
		Namespace: ctx.Value("namespace").(string),
		Activated: ctx.Value("activation_id").(string) != "",
		// The hyphenated key of DigitalOcean's golang1.20 launcher.
		Requested: ctx.Value("request-id").(string) != "",
		Deadline:  ok && time.Until(deadline) > 0,
	}, nil
}
