package risk

import "time"

// DefaultFundingInterval is Binance's funding interval for symbols that
// /fapi/v1/fundingInfo does not list (00:00, 08:00 and 16:00 UTC).
const DefaultFundingInterval = 8 * time.Hour

// FundingCount is how many funding times fall inside a holding horizon
// [now, now+hold], both ends included: a position opened at a funding time
// or closed exactly at one may be charged, so the count errs on the side of
// paying. Funding times are next + k*interval; a next in the past is rolled
// forward; a zero next means the interval's grid from the Unix epoch, which
// is how Binance schedules funding (every 8 h at 00/08/16 UTC, 4 h grids
// likewise). A zero interval means DefaultFundingInterval.
func FundingCount(now, next time.Time, interval, hold time.Duration) int {
	if hold < 0 {
		return 0
	}
	if interval <= 0 {
		interval = DefaultFundingInterval
	}
	first := next
	if first.IsZero() {
		// Smallest grid time >= now.
		iv := interval.Nanoseconds()
		n := now.UnixNano()
		k := n / iv
		if n%iv != 0 && n > 0 {
			k++
		}
		first = time.Unix(0, k*iv).UTC()
	} else if first.Before(now) {
		behind := now.Sub(first)
		k := behind / interval
		if behind%interval != 0 {
			k++
		}
		first = first.Add(k * interval)
	}
	end := now.Add(hold)
	if first.After(end) {
		return 0
	}
	return 1 + int(end.Sub(first)/interval)
}
