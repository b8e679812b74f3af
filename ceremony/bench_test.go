package ceremony

import (
	"crypto"
	"crypto/sha256"
	"io"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"signbox/internal/atomicfile"
)

// timedStore wraps the appliance token and adds up the time spent inside
// HSM signing calls.
type timedStore struct {
	tokenStore
	ns *atomic.Int64
}

func (t timedStore) Signer(label string) (crypto.Signer, error) {
	s, err := t.tokenStore.Signer(label)
	if err != nil {
		return nil, err
	}
	return timedSigner{s, t.ns}, nil
}

type timedSigner struct {
	crypto.Signer
	ns *atomic.Int64
}

func (s timedSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	t0 := time.Now()
	defer func() { s.ns.Add(int64(time.Since(t0))) }()
	return s.Signer.Sign(r, d, o)
}

// BenchmarkReleaseCeremony runs a full release ceremony (32 KiB bootloader
// + 4 MiB app, 2-of-3 approvals, signed by 3 Secure Boot keys on SoftHSM)
// per iteration and reports each step, plus the time inside HSM signing
// calls (approval tokens and appliance) and, as the in-process reference,
// one SHA-256 pass over the 4 MiB app.
func BenchmarkReleaseCeremony(b *testing.B) {
	f := newFixture(b)
	f.bootstrap()
	in := images(b, b.TempDir(), 4<<20)
	var hsmNS atomic.Int64
	ks := timedStore{f.hsm, &hsmNS}
	for _, n := range []string{"alice", "bob"} {
		f.people[n].signer = timedSigner{f.people[n].signer, &hsmNS}
	}
	steps := map[string]time.Duration{}
	lap := func(name string, t0 time.Time) { steps[name] += time.Since(t0) }
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		s, err := f.ws.PlanRelease(in)
		if err != nil {
			b.Fatal(err)
		}
		lap("plan", t0)
		t0 = time.Now()
		f.approve(s, "alice", "bob")
		lap("approve", t0)
		t0 = time.Now()
		must(b, s.VerifyInputs)
		must(b, s.EvaluatePolicy)
		lap("verify-inputs", t0)
		t0 = time.Now()
		q, err := s.CollectQuorum()
		if err != nil {
			b.Fatal(err)
		}
		lap("quorum", t0)
		t0 = time.Now()
		if _, err := s.Sign(q, ks); err != nil {
			b.Fatal(err)
		}
		lap("sign", t0)
		t0 = time.Now()
		must(b, s.Verify)
		lap("verify", t0)
		t0 = time.Now()
		must(b, s.Export)
		lap("export", t0)
	}
	b.StopTimer()
	n := float64(b.N)
	for name, d := range steps {
		b.ReportMetric(float64(d.Milliseconds())/n, name+"-ms/op")
	}
	b.ReportMetric(float64(hsmNS.Load())/1e6/n, "hsm-ms/op")
	app := readFile2(b, in.App)
	t0 := time.Now()
	for range 10 {
		sha256.Sum256(app)
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/10/1000, "sha256-4MiB-ms")
	dir := b.TempDir()
	t0 = time.Now()
	for i := range 5 {
		if err := atomicfile.WriteNew(filepath.Join(dir, strconv.Itoa(i)), app, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/5/1000, "write-fsync-4MiB-ms")
}
