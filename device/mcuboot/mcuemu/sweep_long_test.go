//go:build !race

package mcuemu

// Under -race (make test) the byte-write layout's sweep and the long
// scenarios would take tens of seconds; they run in plain `go test` and
// in BenchmarkPowerCutSweep.
func init() {
	sweepLayouts = append(sweepLayouts, smallLayout)
	longSweep = true
}
