package main

import "fmt"

type Numbers struct {
	Values []float64 `json:"values"`
	Quiet  bool      `json:"quiet"`
}

type Total struct {
	Sum   float64 `json:"sum"`
	Count int     `json:"count"`
}

// Main takes and returns pointers; a nil result is encoded as null, as encoding/json does.
func Main(in *Numbers) (*Total, error) {
	if in.Quiet {
		return nil, nil
	}
	total := &Total{Count: len(in.Values)}
	for _, value := range in.Values {
		if value < 0 {
			return nil, fmt.Errorf("negative value %v", value)
		}
		total.Sum += value
	}
	return total, nil
}
