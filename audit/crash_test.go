package audit

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// committed is what a caller was told is on disk: Append returned nil.
type committed struct {
	seq     int64
	typ     Type
	payload []byte
}

func memConfig(t testing.TB, m *memFS) Config {
	cfg := testConfig(t, fsFloor{m})
	cfg.FS = m
	cfg.CheckpointEvery = 4
	return cfg
}

// crashScenario drives a log until the first error and returns what was
// committed. It covers create, appends, automatic and explicit
// checkpoints, a new epoch, a batch and a shutdown checkpoint.
func crashScenario(t testing.TB, m *memFS) []committed {
	var out []committed
	l, err := Create("", memConfig(t, m), at(0))
	if err != nil {
		return out
	}
	add := func(i int) bool {
		ev := scenario[i%len(scenario)]
		p, err := Fields(ev.kv...)
		require.NoError(t, err)
		e, err := l.Append(ev.typ, p, at(i+1))
		if err != nil {
			return false
		}
		out = append(out, committed{e.Seq, e.Type, p})
		return true
	}
	for i := 0; i < 6; i++ {
		if !add(i) {
			return out
		}
	}
	if l.NewEpoch("session", at(20)) != nil {
		return out
	}
	var batch []Event
	for _, ev := range scenario[6:9] {
		p, err := Fields(ev.kv...)
		require.NoError(t, err)
		batch = append(batch, Event{ev.typ, p})
	}
	es, err := l.AppendBatch(batch, at(25))
	if err != nil {
		return out
	}
	for i, e := range es {
		out = append(out, committed{e.Seq, e.Type, batch[i].Payload})
	}
	if _, err := l.Checkpoint("ceremony-close", at(30)); err != nil {
		return out
	}
	if !add(9) {
		return out
	}
	_ = l.Close(at(40))
	return out
}

// reboot opens (or, if the first entry never became durable, creates)
// the log on the disk image and checks the committed prefix survived and
// the result verifies.
func reboot(t *testing.T, img *memFS, want []committed) *Report {
	cfg := memConfig(t, img)
	l, err := Open("", cfg, at(100))
	if errors.Is(err, ErrNoLog) {
		require.Empty(t, want, "committed entries lost")
		l, err = Create("", cfg, at(100))
	}
	require.NoError(t, err)
	raw, err := img.ReadFile(fileLog)
	require.NoError(t, err)
	recs := parseRecs(t, raw)
	for _, c := range want {
		require.Less(t, c.seq, int64(len(recs)), "committed entry %d lost", c.seq)
		got := recs[c.seq].e
		require.Equal(t, c.typ, got.Type, "entry %d", c.seq)
		require.True(t, bytes.Equal(c.payload, got.Payload), "entry %d payload", c.seq)
	}
	_, err = l.Append(BootResult, []byte("result=ok\n"), at(101))
	require.NoError(t, err)
	require.NoError(t, l.Close(at(102)))
	r, err := VerifyFS(img, VerifyOptions{Trusted: trusted(t, testOrigin, testKey(1)), Keys: testKeys(t)})
	require.NoError(t, err)
	require.Equal(t, OK, r.Verdict, "%+v", r)
	return r
}

func countOps(t *testing.T) int {
	m := newMemFS()
	want := crashScenario(t, m)
	require.Len(t, want, 10)
	return m.ops
}

// TestCrashAtEveryWrite cuts the power at each write operation of the
// scenario in turn, with unsynced data lost, half kept or all kept.
func TestCrashAtEveryWrite(t *testing.T) {
	n := countOps(t)
	require.Greater(t, n, 40)
	recovered := 0
	t.Cleanup(func() {
		// The sweep must actually have produced torn records to recover.
		require.Greater(t, recovered, 5)
	})
	for k := 1; k <= n; k++ {
		for _, keep := range []int{keepNone, keepHalf, keepAll} {
			t.Run(fmt.Sprintf("op%03d-keep%d", k, keep), func(t *testing.T) {
				m := newMemFS()
				m.crashAt = k
				want := crashScenario(t, m)
				if hasWarning(reboot(t, m.image(keep), want), "log recovered") {
					recovered++
				}
			})
		}
	}
}

// TestIOErrorAtEveryWrite fails each write operation in turn with an I/O
// error (half of a failed write lands), then restarts the process.
func TestIOErrorAtEveryWrite(t *testing.T) {
	n := countOps(t)
	for k := 1; k <= n; k++ {
		t.Run(fmt.Sprintf("op%03d", k), func(t *testing.T) {
			m := newMemFS()
			m.failAt = k
			want := crashScenario(t, m)
			reboot(t, m.image(keepAll), want)
		})
	}
}
