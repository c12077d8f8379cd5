package market

import "time"

// Per-second volatilities from daily ones: sigma_s = sigma_day / sqrt(86400).
const perSecFromDaily = 1.0 / 293.9387691339814

// regime is what drives the market during one phase of a scenario.
type regime struct {
	name     string
	drift    float64 // relative drift of the fair price per second
	vol      float64 // relative volatility of the fair price per sqrt(second)
	revert   float64 // mean-reversion rate toward the anchor per second (0 = none)
	anchor   float64 // where reversion pulls: a multiple of the event's start price (between events: of Start's)
	trend    bool    // a slow background trend may switch on and off
	depth    float64 // order book depth multiplier
	longBias float64 // probability a new position is long
	highLev  bool    // new positions use the crowded, high-leverage mix
	activity float64 // rate multiplier for traders opening positions
}

var (
	calmRegime = regime{name: "calm", vol: 0.025 * perSecFromDaily, trend: true, revert: 1.0 / (6 * 3600), anchor: 1,
		depth: 1, longBias: 0.5, activity: 1}
	chopRegime = regime{name: "chop", vol: 0.12 * perSecFromDaily, revert: 1.0 / 900, anchor: 1,
		depth: 0.8, longBias: 0.5, highLev: true, activity: 1.5}
	// Crowding phases drift with the crowd and, over hours, back toward the
	// start price, so a repeating scenario stays in range for days.
	buildLong = regime{name: "build-long", drift: 0.01 / 3600, vol: 0.04 * perSecFromDaily, revert: 1.0 / 7200, anchor: 1,
		depth: 0.9, longBias: 0.82, highLev: true, activity: 2}
	buildShort = regime{name: "build-short", drift: -0.01 / 3600, vol: 0.04 * perSecFromDaily, revert: 1.0 / 7200, anchor: 1,
		depth: 0.9, longBias: 0.18, highLev: true, activity: 2}
	drop       = regime{name: "drop", drift: -0.012 / 60, vol: 0.15 * perSecFromDaily, depth: 0.35, longBias: 0.3, highLev: true, activity: 0.5}
	rally      = regime{name: "rally", drift: 0.012 / 60, vol: 0.15 * perSecFromDaily, depth: 0.35, longBias: 0.7, highLev: true, activity: 0.5}
	dropRelief = regime{name: "relief", drift: 0.001 / 60, vol: 0.06 * perSecFromDaily, depth: 0.7, longBias: 0.5, activity: 1}
	rallyFade  = regime{name: "fade", drift: -0.001 / 60, vol: 0.06 * perSecFromDaily, depth: 0.7, longBias: 0.5, activity: 1}
	shock      = regime{name: "shock", drift: -0.014, vol: 1e-3, depth: 0.25, longBias: 0.5, activity: 0.2}
	retrace    = regime{name: "retrace", vol: 0.08 * perSecFromDaily, revert: 1.0 / 240, anchor: 0.965,
		depth: 0.6, longBias: 0.5, activity: 0.7}
)

// phase is one scripted stretch of a scenario, counted from the event start.
type phase struct {
	until time.Duration // end of the phase, relative to the event start
	r     regime
}

// script is a scenario: the regime before (and between) events, and the
// phases of one event. The last phase's until is when the event is over.
type script struct {
	between regime
	event   []phase
}

// scriptFor is the named scenario's script (a switch, not a package map, so
// nothing shared is mutable); ok is false for an unknown name.
func scriptFor(sc Scenario) (s script, ok bool) {
	switch sc {
	case Calm:
		return script{between: calmRegime}, true
	case Chop:
		return script{between: chopRegime}, true
	case LongCascade:
		return script{between: buildLong, event: []phase{
			{until: 6 * time.Minute, r: drop},
			{until: 20 * time.Minute, r: dropRelief},
		}}, true
	case ShortSqueeze:
		return script{between: buildShort, event: []phase{
			{until: 6 * time.Minute, r: rally},
			{until: 20 * time.Minute, r: rallyFade},
		}}, true
	case NewsSpike:
		return script{between: calmRegime, event: []phase{
			{until: 5 * time.Second, r: shock},
			{until: 25 * time.Minute, r: retrace},
		}}, true
	}
	return script{}, false
}

// phaseAt returns the regime at elapsed time since Start, an id that changes
// whenever the phase does, and the index of the event phase (-1 between events).
func phaseAt(s script, eventAt, every, elapsed time.Duration) (regime, int64, int) {
	if len(s.event) == 0 || elapsed < eventAt {
		return s.between, 0, -1
	}
	e := elapsed - eventAt
	var cycle int64
	if every > 0 {
		cycle = int64(e / every)
		e %= every
	}
	stride := int64(len(s.event) + 1)
	for i, p := range s.event {
		if e < p.until {
			return p.r, cycle*stride + int64(i) + 1, i
		}
	}
	return s.between, cycle*stride + stride, -1
}
