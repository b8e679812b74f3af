//go:build !race

package mcuemu

// Under -race (make test) the byte-write layout's sweep would take several
// seconds; it runs in plain `go test` and in BenchmarkPowerCutSweep.
func init() { sweepLayouts = append(sweepLayouts, smallLayout) }
