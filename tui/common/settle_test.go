package common

import (
	"context"
	"errors"
	"testing"
)

func TestSettle(t *testing.T) {
	c := Common{Ctx: context.Background(), Page: 3}
	op, _ := Start(c, Op{}, func(context.Context) (int, error) { return 0, nil })
	tag := op.Tag()
	tests := []struct {
		name        string
		r           Result[int]
		wantOK      bool
		wantRunning bool
		wantProblem bool
	}{
		{"stale result is dropped", Result[int]{Tag: Tag{Page: 3, Op: 99}, Value: 7}, false, true, false},
		{"failure sets the problem", Result[int]{Tag: tag, Err: errors.New("boom")}, false, false, true},
		{"success yields the value", Result[int]{Tag: tag, Value: 7}, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := op
			var p *Problem
			v, ok := Settle(&o, &p, tt.r, "retry")
			if ok != tt.wantOK || o.Running() != tt.wantRunning || (p != nil) != tt.wantProblem {
				t.Fatalf("ok=%v running=%v problem=%v", ok, o.Running(), p)
			}
			if ok && v != 7 {
				t.Fatalf("value = %d", v)
			}
			if p != nil && p.Next != "retry" {
				t.Fatalf("problem next = %q", p.Next)
			}
		})
	}
	op.Cancel()
}
