package main

// Request is the event: the invocation's parameters, decoded by their JSON tags.
type Request struct {
	Name     string   `json:"name"`
	Language string   `json:"lang,omitempty"`
	Tags     []string `json:"tags"`
}

// Response is encoded by its JSON tags; empty fields marked omitempty are left out.
type Response struct {
	Body       string            `json:"body"`
	StatusCode int               `json:"statusCode,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	TagCount   int               `json:"tag_count"`
	version    string            // unexported: never encoded
}
