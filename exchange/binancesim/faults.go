package binancesim

import (
	"fmt"
	"time"
)

// FaultKind names one kind of injected failure.
type FaultKind int

// Fault kinds. Each documents the Fault fields it reads.
const (
	// FaultDropStreams closes every WebSocket connection now (no close frame).
	FaultDropStreams FaultKind = iota + 1
	// FaultDropEvery closes every WebSocket connection each Duration of sim time; 0 turns it off.
	FaultDropEvery
	// FaultStall withholds data on Stream ("" = every stream, "user" = user data)
	// for Duration of sim time (0 = until ClearFaults); connections stay open and pinged.
	FaultStall
	// FaultDelay delays every REST reply by Duration of wall time; 0 turns it off.
	FaultDelay
	// FaultHTTPError answers the next Count REST requests with HTTP Status (default 500) without acting on them.
	FaultHTTPError
	// FaultUnknownAfterAccept lets the next Count order placements (order and
	// algoOrder POST) take effect, then answers 503 "Unknown error".
	FaultUnknownAfterAccept
	// FaultRateLimit answers the next Count requests 429 with Retry-After
	// Duration (default 1m sim time); a request inside that window earns a 418 ban.
	FaultRateLimit
	// FaultClockSkew shifts the server's API clock (/time and signature checks) by Duration.
	FaultClockSkew
	// FaultDuplicate sends each open connection's next Count frames twice.
	FaultDuplicate
	// FaultReorder swaps each open connection's next Count pairs of frames.
	FaultReorder
	// FaultMalformed truncates each open connection's next Count frames into invalid JSON.
	FaultMalformed
	// FaultExpireListenKey expires every listen key now: listenKeyExpired is pushed and the key stops working.
	FaultExpireListenKey
)

// Fault is one injected failure; which fields matter depends on Kind.
type Fault struct {
	// Kind selects the failure; its doc names the fields below it reads.
	Kind FaultKind
	// Count is how many requests, placements or frames the fault affects.
	Count int
	// Duration is the fault's period, length, delay, Retry-After or skew.
	Duration time.Duration
	// Status is the HTTP status of FaultHTTPError (default 500).
	Status int
	// Stream names the stream FaultStall withholds ("" = all, "user" = user data).
	Stream string
}

// faults is the live fault state, guarded by Sim.mu.
type faults struct {
	dropEvery           time.Duration
	lastDrop            time.Time
	stalls              map[string]time.Time // stream -> until (zero = forever)
	delay               time.Duration
	httpErrors          int
	httpStatus          int
	unknownAfterAccept  int
	rateLimit           int
	rateLimitRetryAfter time.Duration
	skew                time.Duration
	periodic            []scheduled
}

type scheduled struct {
	Periodic
	last time.Time
}

func (f *faults) stalledLocked(stream string, now time.Time) bool {
	for _, k := range []string{stream, ""} {
		until, ok := f.stalls[k]
		if !ok {
			continue
		}
		if until.IsZero() || now.Before(until) {
			return true
		}
		delete(f.stalls, k)
	}
	return false
}

// InjectFault arms a fault. It returns an error for an unknown kind.
func (s *Sim) InjectFault(f Fault) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injectLocked(f)
}

func (s *Sim) injectLocked(f Fault) error {
	fs := &s.faults
	switch f.Kind {
	case FaultDropStreams:
		s.hub.dropAllLocked("")
	case FaultDropEvery:
		fs.dropEvery, fs.lastDrop = f.Duration, s.now
	case FaultStall:
		if fs.stalls == nil {
			fs.stalls = map[string]time.Time{}
		}
		until := time.Time{}
		if f.Duration > 0 {
			until = s.now.Add(f.Duration)
		}
		fs.stalls[f.Stream] = until
	case FaultDelay:
		fs.delay = f.Duration
	case FaultHTTPError:
		fs.httpErrors, fs.httpStatus = f.Count, f.Status
		if fs.httpStatus == 0 {
			fs.httpStatus = 500
		}
	case FaultUnknownAfterAccept:
		fs.unknownAfterAccept = f.Count
	case FaultRateLimit:
		fs.rateLimit, fs.rateLimitRetryAfter = f.Count, f.Duration
		if fs.rateLimitRetryAfter <= 0 {
			fs.rateLimitRetryAfter = time.Minute
		}
	case FaultClockSkew:
		fs.skew = f.Duration
	case FaultDuplicate, FaultReorder, FaultMalformed:
		for c := range s.hub.conns {
			switch f.Kind {
			case FaultDuplicate:
				c.dup += f.Count
			case FaultReorder:
				c.reorder += f.Count
			default:
				c.malformed += f.Count
			}
		}
	case FaultExpireListenKey:
		for k := range s.keys {
			s.expireKeyLocked(k)
		}
	default:
		return fmt.Errorf("binancesim: unknown fault kind %d", f.Kind)
	}
	return nil
}

// ClearFaults turns off every standing fault (delays, stalls, skew, pending errors, schedules).
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faults{}
	for c := range s.hub.conns {
		c.dup, c.reorder, c.malformed = 0, 0, 0
	}
}

// stepFaultsLocked runs the time-driven faults after a model step.
func (s *Sim) stepFaultsLocked() {
	fs := &s.faults
	if fs.dropEvery > 0 && s.now.Sub(fs.lastDrop) >= fs.dropEvery {
		fs.lastDrop = s.now
		s.hub.dropAllLocked("")
	}
	for c := range s.hub.conns {
		if s.now.Sub(c.opened) >= s.opts.ConnLifetime {
			s.hub.dropLocked(c)
		}
	}
	for k, exp := range s.keys {
		if !s.now.Before(exp) {
			s.expireKeyLocked(k)
		}
	}
	for i := range fs.periodic {
		p := &fs.periodic[i]
		if s.now.Sub(p.last) >= p.Every {
			p.last = s.now
			_ = s.injectLocked(p.Fault) // kinds were checked by Schedule
		}
	}
}
