package binancesim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Periodic re-injects Fault every Every of sim time (the CLI's --fault flag).
type Periodic struct {
	// Every is the period in sim time; the first firing is Every after Schedule.
	Every time.Duration
	// Fault is injected at each firing, as InjectFault would.
	Fault Fault
}

// Schedule arms a periodic fault, first firing Every from now.
func (s *Sim) Schedule(p Periodic) error {
	if p.Every <= 0 {
		return fmt.Errorf("binancesim: schedule: period must be > 0, got %s", p.Every)
	}
	if p.Fault.Kind < FaultDropStreams || p.Fault.Kind > FaultExpireListenKey {
		return fmt.Errorf("binancesim: schedule: unknown fault kind %d", p.Fault.Kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.periodic = append(s.faults.periodic, scheduled{Periodic: p, last: s.now})
	return nil
}

// scheduleKind is a CLI fault name's kind and what its ARG means.
type scheduleKind struct {
	kind FaultKind
	arg  string // "", "duration" or "count"
}

// scheduleKinds maps the CLI's fault names to kinds.
func scheduleKinds() map[string]scheduleKind {
	return map[string]scheduleKind{
		"drop":              {FaultDropStreams, ""},
		"stall":             {FaultStall, "duration"},
		"5xx":               {FaultHTTPError, "count"},
		"503-after-accept":  {FaultUnknownAfterAccept, "count"},
		"429":               {FaultRateLimit, "duration"},
		"duplicate":         {FaultDuplicate, "count"},
		"reorder":           {FaultReorder, "count"},
		"malformed":         {FaultMalformed, "count"},
		"expire-listen-key": {FaultExpireListenKey, ""},
	}
}

// ScheduleNames lists the fault names ParseSchedule accepts.
func ScheduleNames() []string {
	return []string{"drop", "stall", "5xx", "503-after-accept", "429", "duplicate", "reorder", "malformed", "expire-listen-key"}
}

// ParseSchedule reads NAME@EVERY[:ARG], e.g. "stall@10m:30s" (stall every
// stream for 30s every 10 minutes), "malformed@1m:2" (two bad frames per
// connection every minute), "429@15m:10s" (Retry-After 10s), "drop@30s".
// ARG is a duration for stall and 429, a count (default 1) for 5xx,
// 503-after-accept, duplicate, reorder and malformed.
func ParseSchedule(spec string) (Periodic, error) {
	name, rest, ok := strings.Cut(spec, "@")
	k, known := scheduleKinds()[name]
	if !ok || !known {
		return Periodic{}, fmt.Errorf("fault %q: want NAME@EVERY[:ARG] with NAME one of %s", spec, strings.Join(ScheduleNames(), ", "))
	}
	every, arg, hasArg := strings.Cut(rest, ":")
	d, err := time.ParseDuration(every)
	if err != nil || d <= 0 {
		return Periodic{}, fmt.Errorf("fault %q: period %q is not a positive duration", spec, every)
	}
	p := Periodic{Every: d, Fault: Fault{Kind: k.kind, Count: 1}}
	switch {
	case !hasArg:
	case k.arg == "duration":
		if p.Fault.Duration, err = time.ParseDuration(arg); err != nil || p.Fault.Duration <= 0 {
			return Periodic{}, fmt.Errorf("fault %q: %q is not a positive duration", spec, arg)
		}
	case k.arg == "count":
		if p.Fault.Count, err = strconv.Atoi(arg); err != nil || p.Fault.Count <= 0 {
			return Periodic{}, fmt.Errorf("fault %q: %q is not a positive count", spec, arg)
		}
	default:
		return Periodic{}, fmt.Errorf("fault %q: %s takes no argument", spec, name)
	}
	if k.kind == FaultStall && p.Fault.Duration == 0 {
		p.Fault.Duration = d / 2 // a stall must end before the next one starts
	}
	return p, nil
}
