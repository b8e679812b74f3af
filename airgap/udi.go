package airgap

import "fmt"

// CheckUDIDI checks a UDI device identifier as far as its issuing agency's
// rules are known. Identifiers made only of digits are GS1 GTINs (8, 12, 13
// or 14 digits), whose last digit is a check digit (GS1 General
// Specifications §7.9: weights 3 and 1 alternating from the right, the
// check digit brings the sum to a multiple of 10). HIBCC ("+" prefix),
// ICCBBA ("=" or "&" prefix) and IFA identifiers are accepted as
// printable ASCII without spaces.
func CheckUDIDI(s string) error {
	if err := checkName("udi_di", s, maxShortText); err != nil {
		return err
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil
		}
	}
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return fmt.Errorf("%d digits: a GS1 GTIN has 8, 12, 13 or 14", len(s))
	}
	if want := gs1CheckDigit(s[:len(s)-1]); s[len(s)-1] != want {
		return fmt.Errorf("GS1 check digit is %c, want %c", s[len(s)-1], want)
	}
	return nil
}

func gs1CheckDigit(digits string) byte {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
