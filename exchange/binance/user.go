package binance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/gorilla/websocket"

	"github.com/taobot/taobot/exchange"
)

// UserStream is the user-data exchange.EventSource: order, algo and account
// updates, with listen-key upkeep and a resync after every reconnect.
type UserStream struct {
	c   *Client
	key string

	// What we last knew, to report what changed while blind. Owned by Run's goroutine.
	orders    map[string]exchange.Order
	algos     map[string]exchange.AlgoOrder
	positions map[string]exchange.Position
	balances  map[string]exchange.Balance
}

var _ exchange.EventSource = (*UserStream)(nil)

// UserStreamName is StreamGap.Stream for the user-data connection.
const UserStreamName = "user"

// ExecResync is OrderUpdate.ExecType (and AccountUpdate.Reason) for state
// learned from REST after a reconnect rather than from the stream.
const ExecResync = "RESYNC"

// UserStream returns the user-data source; run it once at a time. Options.Symbol, if set, limits
// the resync to that symbol.
func (c *Client) UserStream() *UserStream { return &UserStream{c: c} }

// Run emits user-data events on out until ctx ends, then returns nil.
func (u *UserStream) Run(ctx context.Context, out chan<- exchange.Event) error {
	o := u.c.opts
	dd := newDedupe()
	loop := &streamLoop{name: UserStreamName, opts: o, log: u.c.log, out: out, hooks: connHooks{
		resumeOnOpen: true,
		staleAfter:   o.UserStaleAfter,
		countPings:   true,
		connect: func(ctx context.Context) (*websocket.Conn, error) {
			if err := u.createKey(ctx); err != nil {
				return nil, err
			}
			return dial(ctx, o.WSURL+"/ws/"+u.key)
		},
		opened: func(ctx context.Context, reconnect bool) error {
			return u.resync(ctx, out, reconnect)
		},
		handle: func(ctx context.Context, msg []byte, recv time.Time) (endReason, error) {
			m, err := decodeUser(msg, recv)
			if err != nil {
				return "", err
			}
			if m.expired {
				return endExpired, nil
			}
			if m.event != nil && dd.fresh(m.event) {
				u.remember(m.event)
				emit(ctx, out, m.event)
			}
			return "", nil
		},
		keepalive: func(ctx context.Context) error {
			return u.c.call(ctx, "keepalive listen key", read, false, func(ctx context.Context, api *futures.Client) error {
				return api.NewKeepaliveUserStreamService().ListenKey(u.key).Do(ctx)
			})
		},
		keepaliveEvery: o.ListenKeyKeepalive,
	}}
	return loop.run(ctx)
}

// createKey creates (or, if one is live, gets back and extends) the listen key.
func (u *UserStream) createKey(ctx context.Context) error {
	return u.c.call(ctx, "create listen key", read, false, func(ctx context.Context, api *futures.Client) error {
		k, err := api.NewStartUserStreamService().Do(ctx)
		if err == nil && k == "" {
			err = errors.New("empty listen key")
		}
		u.key = k
		return err
	})
}

// remember keeps the last known state from stream events.
func (u *UserStream) remember(ev exchange.Event) {
	switch e := ev.(type) {
	case exchange.OrderUpdate:
		if e.Order.Status.Final() {
			delete(u.orders, e.Order.ClientID)
		} else if u.orders != nil {
			u.orders[e.Order.ClientID] = e.Order
		}
	case exchange.AlgoUpdate:
		if !e.AlgoOrder.Status.Open() {
			delete(u.algos, e.AlgoOrder.ClientAlgoID)
		} else if u.algos != nil {
			u.algos[e.AlgoOrder.ClientAlgoID] = e.AlgoOrder
		}
	case exchange.AccountUpdate:
		for _, p := range e.Positions {
			if u.positions != nil {
				u.positions[p.Symbol] = p
			}
		}
		for _, b := range e.Balances {
			if u.balances != nil {
				u.balances[b.Asset] = b
			}
		}
	}
}

// resync fetches open orders, open algo orders, positions and balances. The first
// time it only records them (the order manager reconciles on start); after
// a reconnect it emits everything that changed while the stream was blind.
func (u *UserStream) resync(ctx context.Context, out chan<- exchange.Event, reconnect bool) error {
	sym := u.c.opts.Symbol
	orders, err := u.c.OpenOrders(ctx, sym)
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	algos, err := u.c.OpenAlgoOrders(ctx, sym)
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	positions, err := u.c.Positions(ctx, sym)
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	balances, err := u.c.Balances(ctx)
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	now := u.c.opts.Clock.Now()
	newBal := make(map[string]exchange.Balance, len(balances))
	for _, b := range balances {
		newBal[b.Asset] = b
	}
	newOrders := make(map[string]exchange.Order, len(orders))
	for _, o := range orders {
		newOrders[o.ClientID] = o
	}
	newAlgos := make(map[string]exchange.AlgoOrder, len(algos))
	for _, a := range algos {
		newAlgos[a.ClientAlgoID] = a
	}
	newPos := make(map[string]exchange.Position, len(positions))
	for _, p := range positions {
		newPos[p.Symbol] = p
	}
	if reconnect {
		var evs []exchange.Event
		orderEv := func(o exchange.Order) exchange.Event {
			return exchange.OrderUpdate{EventMeta: exchange.EventMeta{Symbol: o.Symbol, ExchangeTime: o.UpdateTime, ReceiveTime: now},
				Order: o, ExecType: ExecResync}
		}
		algoEv := func(a exchange.AlgoOrder) exchange.Event {
			return exchange.AlgoUpdate{EventMeta: exchange.EventMeta{Symbol: a.Symbol, ExchangeTime: a.UpdateTime, ReceiveTime: now}, AlgoOrder: a}
		}
		for _, id := range sortedKeys(newOrders) {
			o := newOrders[id]
			if k, ok := u.orders[id]; !ok || k.Status != o.Status || !k.ExecutedQty.Equal(o.ExecutedQty) {
				evs = append(evs, orderEv(o))
			}
		}
		for _, id := range sortedKeys(u.orders) {
			k := u.orders[id]
			if _, ok := newOrders[id]; ok {
				continue
			}
			// Gone from the open list: filled or canceled while blind. Ask.
			o, err := u.c.QueryOrder(ctx, k.Symbol, id)
			if errors.Is(err, exchange.ErrNotFound) {
				// Archived by the venue: nothing more to learn; stop tracking it.
				u.c.log.Warn().Str("client_id", id).Msg("resync: order left the open list and is no longer queryable")
				continue
			}
			if err != nil {
				return fmt.Errorf("resync order %s: %w", id, err)
			}
			evs = append(evs, orderEv(o))
		}
		for _, id := range sortedKeys(newAlgos) {
			a := newAlgos[id]
			if k, ok := u.algos[id]; !ok || k.Status != a.Status {
				evs = append(evs, algoEv(a))
			}
		}
		for _, id := range sortedKeys(u.algos) {
			k := u.algos[id]
			if _, ok := newAlgos[id]; ok {
				continue
			}
			a, err := u.c.QueryAlgoOrder(ctx, k.Symbol, id)
			if errors.Is(err, exchange.ErrNotFound) {
				u.c.log.Warn().Str("client_algo_id", id).Msg("resync: algo order left the open list and is no longer queryable")
				continue
			}
			if err != nil {
				return fmt.Errorf("resync algo order %s: %w", id, err)
			}
			evs = append(evs, algoEv(a))
		}
		var changed []exchange.Position
		for _, s := range sortedKeys(newPos) {
			p := newPos[s]
			if k, ok := u.positions[s]; !ok && !p.Flat() || ok && (!k.Qty.Equal(p.Qty) || !k.EntryPrice.Equal(p.EntryPrice)) {
				changed = append(changed, p)
			}
		}
		for _, s := range sortedKeys(u.positions) {
			k := u.positions[s]
			if _, ok := newPos[s]; !ok && !k.Flat() {
				changed = append(changed, exchange.Position{Symbol: s, MarginType: k.MarginType, UpdateTime: now})
			}
		}
		var changedBal []exchange.Balance
		for _, a := range sortedKeys(newBal) {
			b := newBal[a]
			if k, ok := u.balances[a]; ok && !k.Wallet.Equal(b.Wallet) || !ok && !b.Wallet.IsZero() {
				b.BalanceChange = b.Wallet.Sub(k.Wallet) // zero value k when unknown: change from nothing
				changedBal = append(changedBal, b)
			}
		}
		if len(changed) > 0 || len(changedBal) > 0 {
			sym := u.c.opts.Symbol
			if len(changed) > 0 {
				sym = changed[0].Symbol
			}
			evs = append(evs, exchange.AccountUpdate{EventMeta: exchange.EventMeta{Symbol: sym, ExchangeTime: now, ReceiveTime: now},
				Reason: ExecResync, Positions: changed, Balances: changedBal})
		}
		for _, ev := range evs {
			if !emit(ctx, out, ev) {
				return ctx.Err()
			}
		}
	}
	u.orders, u.algos, u.positions, u.balances = newOrders, newAlgos, newPos, newBal
	return nil
}

// sortedKeys makes resync output deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
