package main

import (
	"context"
	"errors"
	"strings"
)

var greetings = map[string]string{"en": "Hello", "fr": "Bonjour", "es": "Hola"}

func Main(ctx context.Context, in Request) (*Response, error) {
	if in.Name == "" {
		return nil, errors.New("name is required")
	}
	word, ok := greetings[strings.ToLower(in.Language)]
	if !ok {
		word = greetings["en"]
	}
	version, _ := ctx.Value("function_version").(string)
	return &Response{
		Body:     word + ", " + in.Name + "!",
		Headers:  map[string]string{"X-Function-Version": version},
		TagCount: len(in.Tags),
		version:  version,
	}, nil
}
