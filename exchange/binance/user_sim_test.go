package binance

import (
	"context"
	"testing"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

func isOrderUpdate(clientID, exec string, status exchange.OrderStatus) func(exchange.Event) bool {
	return func(ev exchange.Event) bool {
		u, ok := ev.(exchange.OrderUpdate)
		return ok && u.Order.ClientID == clientID && u.ExecType == exec && u.Order.Status == status
	}
}

// startUser runs the user stream and waits until its first resync is done
// (the first snapshot is taken after the socket is up).
func startUser(t *testing.T, r *rig) *collector {
	t.Helper()
	col := runSource(t, r.c.UserStream())
	waitConns(t, r.sim, 1)
	return col
}

func TestUserStreamOrderAlgoAndAccountEvents(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	col := startUser(t, r)
	if _, err := r.c.PlaceOrder(ctx, limitBuy("tb-u1", "300.00")); err != nil {
		t.Fatal(err)
	}
	ev, _ := col.waitFor(t, 0, "ORDER_TRADE_UPDATE NEW", isOrderUpdate("tb-u1", "NEW", exchange.StatusNew))
	if u := ev.(exchange.OrderUpdate); !u.Order.Price.Equal(d("300")) || !u.Order.Qty.Equal(d("0.5")) || u.Order.Side != exchange.Buy {
		t.Fatalf("order update %+v", u)
	}
	r.sim.SeedPosition(d("1.5"), d("401.25"))
	ev, _ = col.waitFor(t, 0, "ACCOUNT_UPDATE", isType[exchange.AccountUpdate]())
	if a := ev.(exchange.AccountUpdate); len(a.Positions) != 1 || !a.Positions[0].Qty.Equal(d("1.5")) || !a.Positions[0].EntryPrice.Equal(d("401.25")) {
		t.Fatalf("account update %+v", a)
	}
	if _, err := r.c.PlaceAlgoOrder(ctx, exchange.AlgoOrderRequest{Symbol: "TAOUSDT", ClientAlgoID: "tb-s1", Side: exchange.Sell,
		Type: exchange.StopMarket, TriggerPrice: d("350"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	ev, _ = col.waitFor(t, 0, "ALGO_UPDATE NEW", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AlgoUpdate)
		return ok && a.AlgoOrder.ClientAlgoID == "tb-s1"
	})
	if a := ev.(exchange.AlgoUpdate).AlgoOrder; a.Status != exchange.AlgoNew || !a.TriggerPrice.Equal(d("350")) || !a.ClosePosition {
		t.Fatalf("algo update %+v", a)
	}
}

func TestUserStreamListenKeyExpiryRecovered(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	col := startUser(t, r)
	if _, err := r.c.PlaceOrder(ctx, limitBuy("tb-e0", "300.00")); err != nil {
		t.Fatal(err)
	}
	_, seen := col.waitFor(t, 0, "first order update", isOrderUpdate("tb-e0", "NEW", exchange.StatusNew))
	keys := r.count.get("POST /fapi/v1/listenKey")
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultExpireListenKey}); err != nil {
		t.Fatal(err)
	}
	_, at := col.waitFor(t, seen, "gap on expiry", isGap(UserStreamName, true, "listen key expired"))
	_, at = col.waitFor(t, at, "gap end after new key and resync", isGap(UserStreamName, false, "listen key expired"))
	if got := r.count.get("POST /fapi/v1/listenKey"); got != keys+1 {
		t.Fatalf("listen key created %d more times, want 1", got-keys)
	}
	waitConns(t, r.sim, 1)
	if _, err := r.c.PlaceOrder(ctx, limitBuy("tb-e1", "301.00")); err != nil {
		t.Fatal(err)
	}
	col.waitFor(t, at, "order update on the new key", isOrderUpdate("tb-e1", "NEW", exchange.StatusNew))
}

func TestUserStreamResyncReportsWhatChangedWhileBlind(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	col := startUser(t, r)
	if _, err := r.c.PlaceOrder(ctx, limitBuy("tb-r1", "300.00")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.PlaceAlgoOrder(ctx, exchange.AlgoOrderRequest{Symbol: "TAOUSDT", ClientAlgoID: "tb-ra", Side: exchange.Buy,
		Type: exchange.StopMarket, TriggerPrice: d("450"), Qty: d("0.5"), WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	col.waitFor(t, 0, "algo NEW", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AlgoUpdate)
		return ok && a.AlgoOrder.ClientAlgoID == "tb-ra"
	})
	_, seen := col.waitFor(t, 0, "order NEW", isOrderUpdate("tb-r1", "NEW", exchange.StatusNew))
	// Blind: the user stream withholds data, meanwhile the order is
	// canceled and a position appears; then the socket drops.
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultStall, Stream: "user"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.CancelOrder(ctx, "TAOUSDT", "tb-r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.CancelAlgoOrder(ctx, "TAOUSDT", "tb-ra"); err != nil {
		t.Fatal(err)
	}
	r.sim.SeedPosition(d("-2"), d("399.5"))
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultDropStreams}); err != nil {
		t.Fatal(err)
	}
	_, at := col.waitFor(t, seen, "user gap", isGap(UserStreamName, true, ""))
	ev, _ := col.waitFor(t, at, "resync of the canceled order", isOrderUpdate("tb-r1", ExecResync, exchange.StatusCanceled))
	if u := ev.(exchange.OrderUpdate); !u.ReceiveTime.Equal(r.clock.Now()) {
		t.Fatalf("resync order update %+v", u)
	}
	ev, _ = col.waitFor(t, at, "resync of the position", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AccountUpdate)
		return ok && a.Reason == ExecResync
	})
	if a := ev.(exchange.AccountUpdate); len(a.Positions) != 1 || !a.Positions[0].Qty.Equal(d("-2")) || !a.Positions[0].EntryPrice.Equal(d("399.5")) {
		t.Fatalf("resync account update %+v", a)
	}
	ev, _ = col.waitFor(t, at, "resync of the canceled algo order", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AlgoUpdate)
		return ok && a.AlgoOrder.ClientAlgoID == "tb-ra"
	})
	if a := ev.(exchange.AlgoUpdate).AlgoOrder; a.Status != exchange.AlgoCanceled || !a.TriggerPrice.Equal(d("450")) {
		t.Fatalf("resync algo update %+v", a)
	}
	_, endAt := col.waitFor(t, at, "user gap end", isGap(UserStreamName, false, ""))
	_, resyncAt := col.waitFor(t, at, "resync", isOrderUpdate("tb-r1", ExecResync, exchange.StatusCanceled))
	if endAt < resyncAt {
		t.Fatal("the gap must close only after the resync events")
	}
}
