package greet

import "testing"

func TestHello(t *testing.T) {
	if Hello() != "inventory" {
		t.Fatal(Hello())
	}
}
