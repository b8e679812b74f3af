package esp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"signbox/device/esp"
	"signbox/device/esp/esptest"
)

const benchSize = 4 << 20

// BenchmarkSign4MiB signs a 4 MiB app with an in-memory RSA-3072 key
// (parse, hash, PSS sign, parse back and verify the new block).
func BenchmarkSign4MiB(b *testing.B) {
	benchSign(b, "rsa3072-a", esp.ESP32C3)
}

// BenchmarkSign4MiBP256 is the same with ECDSA P-256 on an ESP32-C6 image.
func BenchmarkSign4MiBP256(b *testing.B) {
	benchSign(b, "p256", esp.ESP32C6)
}

func benchSign(b *testing.B, key string, chip esp.Chip) {
	img := must(esptest.Build(esptest.Options{Chip: chip, Size: benchSize}))
	signers := []crypto.Signer{vecPriv(b, key)}
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		if _, err := esp.Sign(img, signers, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify4MiB parses and verifies a signed 4 MiB app.
func BenchmarkVerify4MiB(b *testing.B) {
	key := vecPriv(b, "rsa3072-a")
	signed, err := esp.Sign(esptest.App(benchSize, 1), []crypto.Signer{key}, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(signed)))
	for b.Loop() {
		if _, err := esp.Verify(signed, key.Public()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashRatio compares what the package hashes with crypto/sha256
// on the same 4 MiB, interleaved in one loop so load on the machine hits
// all three alike: ParseImage (checksum XOR plus the appended SHA-256) and
// Image.Digest (the Secure Boot V2 signed-bytes digest, including the
// 0xFF padding). The parse/sha256 and digest/sha256 metrics are
// throughput ratios (per byte hashed); target >= 0.9.
func BenchmarkHashRatio(b *testing.B) {
	img := esptest.App(benchSize-4096, 1) // pads to exactly 4 MiB
	var ref, parse, digest time.Duration
	var padded float64
	for b.Loop() {
		t0 := b.Elapsed()
		sha256.Sum256(img)
		t1 := b.Elapsed()
		parsed, err := esp.ParseImage(img)
		if err != nil {
			b.Fatal(err)
		}
		t2 := b.Elapsed()
		parsed.Digest(esp.SchemeRSA3072) // hashes the padded length, not cached yet
		t3 := b.Elapsed()
		ref, parse, digest = ref+t1-t0, parse+t2-t1, digest+t3-t2
		padded = float64(parsed.PaddedLen) / float64(len(img))
	}
	b.ReportMetric(float64(ref)/float64(parse), "parse/sha256")
	b.ReportMetric(float64(ref)*padded/float64(digest), "digest/sha256")
	b.ReportMetric(float64(len(img))*float64(b.N)/ref.Seconds()/1e6, "sha256-MB/s")
}
