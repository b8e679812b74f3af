package audit

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// Benchmarks for docs/BENCHMARKS.md ("audit"). Run with
//
//	go test -run '^$' -bench . -benchtime 1x ./audit     (1M-entry verify)
//	go test -run '^$' -bench Append -benchtime 2s ./audit

func benchLog(b *testing.B, every int64) *Log {
	cfg := testConfig(b, &MemFloor{})
	cfg.CheckpointEvery = every
	l, err := Create(b.TempDir(), cfg, at(0))
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkAppendFsync: one entry, one write, one fsync on the real disk.
func BenchmarkAppendFsync(b *testing.B) {
	p := []byte("slot=A\nresult=ok\n")
	for _, every := range []int64{1 << 40, DefaultCheckpointEvery} {
		b.Run(fmt.Sprintf("checkpoint-every=%d", min(every, 1<<20)), func(b *testing.B) {
			l := benchLog(b, every)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := l.Append(BootResult, p, at(1)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// BenchmarkAppendBatch: 64 entries per write and fsync.
func BenchmarkAppendBatch(b *testing.B) {
	const batch = 64
	evs := make([]Event, batch)
	for i := range evs {
		evs[i] = Event{BootResult, []byte("slot=A\nresult=ok\n")}
	}
	l := benchLog(b, 1<<40)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.AppendBatch(evs, at(1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
}

// synthLog writes an n-entry log straight to dir (no fsync, no Log) with
// a signed checkpoint every `every` entries and at the end: the shape of
// a long-running appliance log, built fast enough for a benchmark.
func synthLog(tb testing.TB, dir string, n, every int64) *tree {
	for _, d := range []string{dir, filepath.Join(dir, dirCheckpoints)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, fileLog))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	signer, err := NewNoteSigner(testOrigin, testKey(1))
	if err != nil {
		tb.Fatal(err)
	}
	macF, _ := testKeys(tb).MAC(0)
	mac := macF()
	var tr tree
	var chain tlog.Hash
	var buf []byte
	for i := int64(0); i < n; i++ {
		e := Entry{Origin: testOrigin, Seq: i, Time: at(int(i)), Type: BootResult, Payload: []byte("slot=A\nresult=ok\n"), Prev: chain}
		switch {
		case i == 0:
			e.Type = LogStart
		case (i+1)%every == 0 || i == n-1:
			e.Type, e.Payload = Checkpoint, []byte("reason=interval\n")
		}
		raw, err := e.MarshalBinary()
		if err != nil {
			tb.Fatal(err)
		}
		leaf, err := tr.add(raw)
		if err != nil {
			tb.Fatal(err)
		}
		chain = chainNext(chain, leaf)
		tag, _ := macTag(mac, chain)
		buf = frame(buf[:0], raw, tag)
		w.Write(buf)
		if e.Type == Checkpoint {
			root, _ := tr.root(i + 1)
			msg, err := signCheckpoint(Head{Origin: testOrigin, Size: i + 1, Root: root}, signer)
			if err != nil {
				tb.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, filepath.FromSlash(checkpointName(i+1))), msg, 0o644)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return &tr
}

// BenchmarkVerify: public verification (chain, epochs, tree, every
// checkpoint signature) and the same with MACs, beside the plain
// SHA-256 of the log file as the in-process reference.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int64{10_000, 1_000_000} {
		dir := filepath.Join(b.TempDir(), "log")
		synthLog(b, dir, n, 65536)
		raw, err := os.ReadFile(filepath.Join(dir, fileLog))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d/sha256-of-file", n), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for i := 0; i < b.N; i++ {
				sha256.Sum256(raw)
			}
		})
		for _, keys := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/macs=%v", n, keys), func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				for i := 0; i < b.N; i++ {
					opt := VerifyOptions{Trusted: trusted(b, testOrigin, testKey(1))}
					if keys {
						opt.Keys = testKeys(b)
					}
					r, err := Verify(dir, opt)
					if err != nil || r.Verdict != OK {
						b.Fatalf("%v %+v", err, r)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
			})
		}
	}
}

// BenchmarkProofSize reports the bytes of an inclusion proof for one
// entry and of a consistency proof between two checkpoints.
func BenchmarkProofSize(b *testing.B) {
	for _, n := range []int64{1_000, 1_000_000} {
		tr := synthLog(b, filepath.Join(b.TempDir(), "log"), n, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var incl, cons int
			for i := 0; i < b.N; i++ {
				rp, err := tlog.ProveRecord(n, n/3, tr)
				if err != nil {
					b.Fatal(err)
				}
				tp, err := tlog.ProveTree(n, n/2+1, tr)
				if err != nil {
					b.Fatal(err)
				}
				incl, cons = len(rp)*tlog.HashSize, len(formatProof(tp))
			}
			b.ReportMetric(float64(incl), "inclusion-bytes")
			b.ReportMetric(float64(cons), "consistency-file-bytes")
		})
	}
}
