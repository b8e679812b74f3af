package fleet_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"signbox/fleet"
	"signbox/publish"
	"signbox/publish/publishtest"
)

// benchDevices is how many emulated devices the fleet benchmark updates.
const benchDevices = 1000

// benchWorkers is how many devices pull at once (the machine has 2 cores).
const benchWorkers = 8

// BenchmarkFleetRegistry publishes a release to a real registry on
// 127.0.0.1 and has benchDevices emulated devices in three waves pull,
// install, boot and confirm it; the peer is plain HTTPS download of the
// same bytes (every bundle file, no TUF, no install) from a TLS server in
// this process. Reported: publish time, pulls per second, bytes per device.
func BenchmarkFleetRegistry(b *testing.B) {
	reg := publishtest.StartRegistry(b)
	benchFleet(b, func(i int) string { return reg.URL(fmt.Sprintf("bench/fleet%d", i)) })
}

// BenchmarkFleetLayout is BenchmarkFleetRegistry against an OCI layout
// directory (the embedded default): the client's own cost, no network.
func BenchmarkFleetLayout(b *testing.B) {
	dir := b.TempDir()
	benchFleet(b, func(i int) string { return fmt.Sprintf("oci-layout:%s/layout%d", dir, i) })
}

func benchFleet(b *testing.B, dest func(int) string) {
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		w := newWorldAt(b, dest(i), benchWaves())
		publishTime := time.Since(t0)
		devs := make([]*device, benchDevices)
		for j := range devs {
			devs[j] = newDevice(b, w, fmt.Sprintf("emu-%016x", j))
			if j%100 == 0 {
				devs[j].cfg.Group = "lab"
			}
		}
		var fetched, pullNanos atomic.Int64
		waves := map[string]int{}
		var mu sync.Mutex
		start := time.Now()
		runAll(b, devs, func(d *device) error {
			t0 := time.Now()
			p, err := fleet.Pull(context.Background(), d.cfg, fleet.Current(d.d))
			if err != nil {
				return err
			}
			pullNanos.Add(int64(time.Since(t0)))
			fetched.Add(p.Fetched)
			mu.Lock()
			waves[p.Wave]++
			mu.Unlock()
			_, err = fleet.Install(d.d, p, publishtest.ReleaseKey())
			return err
		})
		elapsed := time.Since(start)
		b.ReportMetric(publishTime.Seconds()*1000, "publish-ms")
		b.ReportMetric(float64(benchDevices)/elapsed.Seconds(), "pulls+installs/s")
		b.ReportMetric(float64(fetched.Load())/benchDevices, "bundle-bytes/device")
		b.ReportMetric(float64(pullNanos.Load())/1e6/benchDevices, "pull-ms/device")
		b.Logf("waves: %v", waves)
	}
}

// benchWaves: every wave has started, so every device is admitted by one.
func benchWaves() publish.Rollout {
	return publish.Rollout{Waves: []publish.Wave{
		{Name: "canary", Groups: []string{"lab"}, Percent: 100, Start: now.Add(-48 * time.Hour)},
		{Name: "early", Groups: []string{"field"}, Percent: 30, Start: now.Add(-24 * time.Hour)},
		{Name: "all", Percent: 100, Start: now},
	}}
}

func runAll(b *testing.B, devs []*device, fn func(*device) error) {
	work := make(chan *device)
	errs := make(chan error, len(devs))
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := fn(d); err != nil {
					errs <- fmt.Errorf("%s: %w", d.cfg.DeviceID, err)
				}
			}
		}()
	}
	for _, d := range devs {
		work <- d
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkPlainHTTPS downloads the same bundle files benchDevices times
// over HTTPS (a TLS server in this process, certificate checked), with
// benchWorkers at once: the peer for BenchmarkFleetRegistry.
func BenchmarkPlainHTTPS(b *testing.B) {
	dir := publishtest.WriteBundle(b, b.TempDir(), "2.0.0", 2)
	var files []string
	filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	srv := httptest.NewTLSServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for i := 0; i < b.N; i++ {
		var total atomic.Int64
		devs := make([]*device, benchDevices)
		for j := range devs {
			devs[j] = &device{cfg: fleet.Config{DeviceID: fmt.Sprint(j)}}
		}
		start := time.Now()
		runAll(b, devs, func(*device) error {
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}}}
			defer c.CloseIdleConnections()
			for _, f := range files {
				resp, err := c.Get(srv.URL + "/" + f)
				if err != nil {
					return err
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					return err
				}
				total.Add(n)
			}
			return nil
		})
		elapsed := time.Since(start)
		b.ReportMetric(float64(benchDevices)/elapsed.Seconds(), "downloads/s")
		b.ReportMetric(elapsed.Seconds()*1000*benchWorkers/benchDevices, "download-ms/device")
		b.ReportMetric(float64(total.Load())/benchDevices, "bundle-bytes/device")
	}
}
