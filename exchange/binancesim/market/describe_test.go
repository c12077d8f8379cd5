package market

import "testing"

func TestEveryScenarioHasADescription(t *testing.T) {
	seen := map[string]Scenario{}
	for _, s := range Scenarios() {
		d := Describe(s)
		if d == "" {
			t.Errorf("%s has no description", s)
		}
		if other, dup := seen[d]; dup {
			t.Errorf("%s and %s share the description %q", s, other, d)
		}
		seen[d] = s
	}
	if d := Describe("moon"); d != "" {
		t.Errorf("unknown scenario described as %q", d)
	}
}
