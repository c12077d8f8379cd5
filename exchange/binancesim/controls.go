package binancesim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Account is a snapshot of the bot's simulated account, for test assertions.
type Account struct {
	// Wallet is the USDT wallet balance (realized PnL, fees and funding included).
	Wallet decimal.Decimal
	// Available is what new orders may use, as availableBalance reports it.
	Available decimal.Decimal
	// Position is the one-way TAOUSDT position, with mark and liquidation price.
	Position exchange.Position
	// Leverage is the symbol's leverage setting.
	Leverage int
	// MarginType is cross or isolated.
	MarginType exchange.MarginType
	// DualSide is the hedge-mode setting (the simulator trades one-way only).
	DualSide bool
	// OpenOrders are the orders not yet final, in placement order.
	OpenOrders []exchange.Order
	// AlgoOrders are every algo order, open or not, in placement order.
	AlgoOrders []exchange.AlgoOrder
	// Income is the income history (realized PnL, commission, funding, insurance clear).
	Income []exchange.Income
	// Received counts orders and algo orders the simulator accepted.
	Received int
	// OrderRequests counts every order and algo order placement request that
	// reached the server, accepted or refused (dry-run tests expect zero).
	OrderRequests int
}

// Account returns a snapshot of the bot's account.
func (s *Sim) Account() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct
	mark := s.model.Quote().Mark
	out := Account{
		Wallet: a.wallet, Available: a.available(mark), Leverage: a.leverage, MarginType: a.marginType,
		DualSide: a.dualSide, Received: a.received, OrderRequests: a.requests,
		Position: exchange.Position{
			Symbol: Symbol, Qty: a.pos.qty, EntryPrice: a.pos.entry, MarkPrice: mark, UnrealizedPnL: a.upnl(mark),
			LiquidationPrice: s.liquidationPriceLocked(), Leverage: a.leverage, MarginType: a.marginType,
			IsolatedWallet: a.pos.iw, UpdateTime: a.pos.updated,
		},
	}
	for _, id := range a.orderIDs {
		if o := a.orders[id]; !o.status.Final() {
			out.OpenOrders = append(out.OpenOrders, o.export())
		}
	}
	for _, id := range a.algoIDs {
		out.AlgoOrders = append(out.AlgoOrders, a.algos[id].export())
	}
	for _, in := range a.income {
		out.Income = append(out.Income, exchange.Income{Symbol: Symbol, Type: in.typ, Amount: in.amount, Asset: "USDT", Info: in.info, TradeID: in.tradeID, TranID: in.tranID, Time: in.time})
	}
	return out
}

func (o *order) export() exchange.Order {
	return exchange.Order{
		Symbol: Symbol, ClientID: o.clientID, OrderID: o.id, Side: o.side, Type: o.typ, TimeInForce: o.tif, Status: o.status,
		Price: o.price, Qty: o.qty, ExecutedQty: o.executed, AvgPrice: o.avgPrice(), ReduceOnly: o.reduceOnly, UpdateTime: o.updated,
	}
}

func (g *algoOrder) export() exchange.AlgoOrder {
	return exchange.AlgoOrder{
		Symbol: Symbol, ClientAlgoID: g.clientID, AlgoID: g.id, Side: g.side, Type: g.typ, Status: g.status,
		TriggerPrice: g.trigger, Qty: g.qty, ClosePosition: g.closePosition, ReduceOnly: g.reduceOnly,
		WorkingType: g.workingType, ActualOrderID: g.actualOrderID, UpdateTime: g.updated,
	}
}

// SetBalance sets the USDT wallet balance.
func (s *Sim) SetBalance(b decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct.wallet = b
}

// SeedPosition puts a position in place without trading: qty signed (negative
// short) at entry, with the current leverage and margin type; in isolated
// margin the isolated wallet is qty*entry/leverage. It pushes ACCOUNT_UPDATE.
func (s *Sim) SeedPosition(qty, entry decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct
	a.pos = position{qty: qty, entry: entry, updated: s.now}
	if a.isolated() {
		a.pos.iw = qty.Abs().Mul(entry).Div(decimal.NewFromInt(int64(a.leverage))).Round(assetPrecision)
	}
	if qty.IsZero() {
		a.pos.entry = decimal.Zero
	}
	s.pushAccountUpdateLocked("ORDER", true)
}

// Quote returns the market's current mark, last, best bid and ask.
func (s *Sim) Quote() (mark, last, bid, ask decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.model.Quote()
	return q.Mark, q.Last, q.Bid, q.Ask
}

// Connections is the number of open WebSocket connections, so tests can wait for a dial.
func (s *Sim) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hub.conns)
}

// WaitConnections blocks until at least n WebSocket connections are open or
// timeout passes, and reports which (the timeout is a failure guard, not a timing device).
func (s *Sim) WaitConnections(n int, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		count, ch := len(s.hub.conns), s.hub.changed
		s.mu.Unlock()
		if count >= n {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
}
