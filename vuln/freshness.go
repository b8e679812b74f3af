package vuln

import (
	"errors"
	"fmt"
	"time"
)

// Freshness is the feed-age policy: a feed snapshot created more than
// MaxAge before the ceremony date is refused. Both fields are required:
// the ceremony date is confirmed by the operators, never read from a clock.
type Freshness struct {
	CeremonyDate time.Time
	MaxAge       time.Duration
}

// clockSkew is how far a snapshot may be dated after the ceremony date:
// snapshots are stamped on a connected machine whose clock and time zone
// differ from the ceremony room's.
const clockSkew = 24 * time.Hour

func (f Freshness) check(created time.Time) error {
	if f.CeremonyDate.IsZero() || f.MaxAge <= 0 {
		return errors.New("feed freshness needs a ceremony date and a positive maximum age")
	}
	age := f.CeremonyDate.Sub(created)
	if age > f.MaxAge {
		return fmt.Errorf("%w: snapshot created %s is %s old on the ceremony date %s; policy allows %s",
			ErrFeedTooOld, created.UTC().Format(time.RFC3339), roundDays(age),
			f.CeremonyDate.UTC().Format(time.DateOnly), roundDays(f.MaxAge))
	}
	if -age > clockSkew {
		return fmt.Errorf("feed snapshot created %s, after the ceremony date %s",
			created.UTC().Format(time.RFC3339), f.CeremonyDate.UTC().Format(time.DateOnly))
	}
	return nil
}

func roundDays(d time.Duration) string {
	days := d.Hours() / 24
	if days >= 1 {
		return fmt.Sprintf("%.1f days", days)
	}
	return d.Round(time.Minute).String()
}
