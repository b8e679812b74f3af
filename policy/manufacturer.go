package policy

import (
	"errors"
	"fmt"
	"net/url"
)

// Manufacturer is the device manufacturer as the CSAF advisory names its
// publisher: a name, and a URL the manufacturer controls (CSAF 2.0
// §3.2.1.8 document.publisher.namespace).
type Manufacturer struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
}

func (m *Manufacturer) validate(path string) error {
	if m == nil {
		return nil
	}
	if m.Name == "" {
		return errors.New(path + ".name is required")
	}
	u, err := url.Parse(m.Namespace)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s.namespace: %q must be an https URL the manufacturer controls", path, m.Namespace)
	}
	return nil
}
