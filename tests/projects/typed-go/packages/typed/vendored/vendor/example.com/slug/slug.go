// Package slug turns titles into URL slugs.
package slug

import (
	"strings"
	"unicode"
)

// Make lowercases the letters and digits of title and joins the words with dashes.
func Make(title string) string {
	words := strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.ToLower(strings.Join(words, "-"))
}
