package hsm

// GenOption adjusts GenerateKey.
type GenOption func(*genConfig)

type genConfig struct {
	wrappable bool
}

// Wrappable makes the private or secret key CKA_EXTRACTABLE (still
// CKA_SENSITIVE), so it can later be wrapped for a backup token. PKCS#11
// lets this be set only at generation time, which is why it is an explicit
// choice here; the default is non-extractable.
func Wrappable() GenOption { return func(c *genConfig) { c.wrappable = true } }
