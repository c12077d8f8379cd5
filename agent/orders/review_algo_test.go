package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// The protective stop is sent without price protection (it must trigger in
// a cascade) on the mark price; the take-profit keeps price protection.
func TestStopHasNoPriceProtect(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	sent := map[exchange.OrderType]exchange.AlgoOrderRequest{}
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		sent[req.Type] = req
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("pp", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.tick(time.Second, MarketView{})
	stop, ok := sent[exchange.StopMarket]
	if !ok || stop.PriceProtect || stop.WorkingType != exchange.MarkPriceTrigger || !stop.ReduceOnly {
		t.Errorf("stop request %+v (sent %v)", stop, ok)
	}
	if tp, ok := sent[exchange.TakeProfitMarket]; !ok || !tp.PriceProtect || !tp.ClosePosition {
		t.Errorf("target request %+v (sent %v)", tp, ok)
	}
}
