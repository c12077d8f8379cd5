package binancesim

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// account is the bot's own futures account: one USDT wallet and one TAOUSDT
// position in one-way mode. Guarded by Sim.mu.
type account struct {
	wallet     decimal.Decimal
	pos        position
	leverage   int
	marginType exchange.MarginType
	dualSide   bool

	orders   map[int64]*order
	orderIDs []int64 // placement order, for listings
	algos    map[int64]*algoOrder
	algoIDs  []int64
	trades   []userTrade
	income   []incomeRec

	nextOrderID, nextAlgoID, nextTradeID, nextTranID int64
	received                                         int // orders and algo orders accepted
	requests                                         int // order and algo order placements received, accepted or not
	updated                                          time.Time
}

// position is the one-way TAOUSDT position; qty is signed.
type position struct {
	qty     decimal.Decimal
	entry   decimal.Decimal
	iw      decimal.Decimal // isolated wallet (isolated margin only)
	cr      decimal.Decimal // accumulated realized PnL
	updated time.Time
}

// order is a regular order as /fapi/v1/order reports it.
type order struct {
	id            int64
	clientID      string
	side          exchange.Side
	typ           exchange.OrderType // LIMIT, MARKET, LIQUIDATION
	origType      exchange.OrderType // the algo type for triggered orders
	tif           exchange.TimeInForce
	price         decimal.Decimal
	qty           decimal.Decimal
	executed      decimal.Decimal
	cumQuote      decimal.Decimal
	status        exchange.OrderStatus
	reduceOnly    bool
	closePosition bool
	stopPrice     decimal.Decimal
	workingType   exchange.WorkingType
	created       time.Time
	updated       time.Time
}

func (o *order) avgPrice() decimal.Decimal {
	if o.executed.IsZero() {
		return decimal.Zero
	}
	return o.cumQuote.Div(o.executed)
}

func (o *order) remaining() decimal.Decimal { return o.qty.Sub(o.executed) }

// algoOrder is a conditional order of the Algo Order API.
type algoOrder struct {
	id            int64
	clientID      string
	side          exchange.Side
	typ           exchange.OrderType // STOP_MARKET or TAKE_PROFIT_MARKET
	qty           decimal.Decimal
	trigger       decimal.Decimal
	workingType   exchange.WorkingType
	reduceOnly    bool
	closePosition bool
	priceProtect  bool
	status        exchange.AlgoStatus
	actualOrderID int64
	avgPrice      decimal.Decimal
	executedQty   decimal.Decimal
	reason        string
	created       time.Time
	updated       time.Time
	triggerTime   time.Time
}

// userTrade is one fill of the bot's orders (/fapi/v1/userTrades).
type userTrade struct {
	id         int64
	orderID    int64
	side       exchange.Side
	price, qty decimal.Decimal
	commission decimal.Decimal
	realized   decimal.Decimal
	maker      bool
	time       time.Time
}

// incomeRec is one /fapi/v1/income entry.
type incomeRec struct {
	typ     string
	amount  decimal.Decimal
	info    string
	tradeID string
	tranID  int64
	time    time.Time
}

func newAccount(balance decimal.Decimal) *account {
	return &account{
		wallet:      balance,
		leverage:    20,
		marginType:  exchange.Cross,
		orders:      map[int64]*order{},
		algos:       map[int64]*algoOrder{},
		nextOrderID: 8_000_000_001,
		nextAlgoID:  3_000_000_001,
		nextTradeID: 500_000_001,
		nextTranID:  9_100_000_001,
	}
}

func (a *account) isolated() bool { return a.marginType == exchange.Isolated }

// upnl is the position's unrealized PnL at mark.
func (a *account) upnl(mark decimal.Decimal) decimal.Decimal {
	return a.pos.qty.Mul(mark.Sub(a.pos.entry))
}

// positionIM is the initial margin the position ties up at mark.
func (a *account) positionIM(mark decimal.Decimal) decimal.Decimal {
	return a.pos.qty.Abs().Mul(mark).Div(decimal.NewFromInt(int64(a.leverage)))
}

// openOrderIM is the initial margin resting non-reduce-only limits reserve.
func (a *account) openOrderIM() decimal.Decimal {
	sum := decimal.Zero
	for _, id := range a.orderIDs {
		o := a.orders[id]
		if o.status.Final() || o.reduceOnly || o.typ != exchange.Limit {
			continue
		}
		sum = sum.Add(o.remaining().Mul(o.price))
	}
	return sum.Div(decimal.NewFromInt(int64(a.leverage)))
}

// crossWallet is the wallet minus isolated margin.
func (a *account) crossWallet() decimal.Decimal { return a.wallet.Sub(a.pos.iw) }

// crossUPnL is the unrealized PnL that counts toward cross margin.
func (a *account) crossUPnL(mark decimal.Decimal) decimal.Decimal {
	if a.isolated() {
		return decimal.Zero
	}
	return a.upnl(mark)
}

// available is what new orders may use, as availableBalance reports it.
func (a *account) available(mark decimal.Decimal) decimal.Decimal {
	v := a.crossWallet().Add(a.crossUPnL(mark)).Sub(a.openOrderIM())
	if !a.isolated() {
		v = v.Sub(a.positionIM(mark))
	}
	return decimal.Max(v, decimal.Zero)
}

// maintMargin is the position's maintenance margin at mark.
func (a *account) maintMargin(brackets []exchange.Bracket, mark decimal.Decimal) (decimal.Decimal, error) {
	if a.pos.qty.IsZero() {
		return decimal.Zero, nil
	}
	mm, err := risk.MaintenanceMargin(brackets, a.pos.qty, mark)
	if err != nil {
		return decimal.Zero, fmt.Errorf("maintenance margin of %s at %s: %w", a.pos.qty, mark, err)
	}
	return mm, nil
}

// liquidationPrice is Binance's LP of the position, zero when flat or when
// no price liquidates it (risk.ErrNoLiquidation); any other error is returned.
func (a *account) liquidationPrice(brackets []exchange.Bracket) (decimal.Decimal, error) {
	if a.pos.qty.IsZero() {
		return decimal.Zero, nil
	}
	wb := a.wallet
	if a.isolated() {
		wb = a.pos.iw
	}
	dir := exchange.Long
	if a.pos.qty.IsNegative() {
		dir = exchange.Short
	}
	lp, err := risk.LiquidationPrice(risk.LiqInput{Direction: dir, Qty: a.pos.qty.Abs(), Entry: a.pos.entry, Wallet: wb, Brackets: brackets})
	if errors.Is(err, risk.ErrNoLiquidation) {
		return decimal.Zero, nil
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("liquidation price of %s at entry %s: %w", a.pos.qty, a.pos.entry, err)
	}
	return lp, nil
}

// maintMarginLocked is the position's maintenance margin; an error is
// recorded (see Err) and reads as zero.
func (s *Sim) maintMarginLocked(mark decimal.Decimal) decimal.Decimal {
	mm, err := s.acct.maintMargin(s.rules.Brackets, mark)
	s.riskFailedLocked(err)
	return mm
}

// liquidationPriceLocked is the position's liquidation price; an error is
// recorded (see Err) and reads as zero.
func (s *Sim) liquidationPriceLocked() decimal.Decimal {
	lp, err := s.acct.liquidationPrice(s.rules.Brackets)
	s.riskFailedLocked(err)
	return lp
}

// riskFailedLocked keeps the first risk error: from then on the simulator
// refuses signed requests, since it can no longer liquidate correctly.
func (s *Sim) riskFailedLocked(err error) {
	if err != nil && s.riskErr == nil {
		s.riskErr = fmt.Errorf("binancesim: %w", err)
	}
}

// riskRefusalLocked is the reply to a signed request after a risk error.
func (s *Sim) riskRefusalLocked() *apiError {
	if s.riskErr == nil {
		return nil
	}
	return &apiError{status: 500, code: -1000, msg: "An unknown error occurred while processing the request. (" + s.riskErr.Error() + ")"}
}

// Err is the first error the simulator hit computing margin or liquidation
// (e.g. a bracket table the risk code rejects); nil while healthy.
func (s *Sim) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.riskErr
}

// maxNotional is the largest position notional allowed at the current leverage.
func (a *account) maxNotional(brackets []exchange.Bracket) decimal.Decimal {
	max := decimal.Zero
	for _, b := range brackets {
		if b.InitialLeverage >= a.leverage {
			max = b.NotionalCap
		}
	}
	return max
}
