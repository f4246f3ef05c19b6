package main

import (
	"context"

	"example.com/slug"
)

type Post struct {
	Title string `json:"title"`
}

type Link struct {
	Slug string `json:"slug"`
}

func Main(_ context.Context, post Post) Link {
	return Link{Slug: slug.Make(post.Title)}
}
