package common

// Settle takes r for a page whose current call o tracks, so every page
// handles a result the same way. It returns false and changes nothing when
// r belongs to a call that was cancelled or replaced: a late result never
// changes the screen. Otherwise the call is marked done; when it failed,
// *problem is set from its error with next as the way forward and Settle
// returns false, leaving the page's success state as it was.
func Settle[T any](o *Op, problem **Problem, r Result[T], next string) (T, bool) {
	var zero T
	if !o.Owns(r.Tag) {
		return zero, false
	}
	*o = o.Done()
	if r.Err != nil {
		*problem = NewProblem(r.Err, next)
		return zero, false
	}
	return r.Value, true
}
